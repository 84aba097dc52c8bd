import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Database } from "../db/index.ts";
import { signInPage } from "../ui/sign-in-page.ts";
import { ownerKey, verifyOwnerToken } from "./owner-token.ts";
import {
  closeSession,
  consumeSignInToken,
  findSession,
  openSession,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  sameEmail,
} from "./sessions.ts";

export interface AuthOptions {
  db: Database;
  tenant: string;
  publicUrl: string;
  ownerPublicKey: string;
  ownerEmail: string;
  controlPlaneUrl: string;
}

/** `/auth/callback?token=…`: exchanges a one-time link from the control plane for a session cookie. */
export function signInRoutes(options: AuthOptions) {
  const key = ownerKey(options.ownerPublicKey);
  const secure = options.publicUrl.startsWith("https:");
  const app = new Hono();
  app.get("/auth/callback", async (c) => {
    const token = c.req.query("token") ?? "";
    const check = verifyOwnerToken(key, token, { tenant: options.tenant });
    if (!check.ok)
      return c.html(signInPage(options, `This sign-in link can't be used: ${check.reason}.`), 401);
    // A link issued to the previous owner email must not open a session once the email has changed.
    if (!sameEmail(check.claims.sub, options.ownerEmail))
      return c.html(signInPage(options, "This sign-in link was issued to an earlier owner email."), 401);
    if (!(await consumeSignInToken(options.db, check.claims.jti, check.claims.sub))) {
      return c.html(signInPage(options, "This sign-in link was already used; each link works once."), 401);
    }
    const session = await openSession(options.db, check.claims.sub);
    setCookie(c, SESSION_COOKIE, session, {
      httpOnly: true,
      sameSite: "Lax",
      secure,
      path: "/",
      maxAge: SESSION_TTL_SECONDS,
    });
    return c.redirect("/", 302);
  });
  // Sign-out ends the session server-side; a cross-site form cannot sign the owner out.
  app.post("/auth/signout", async (c) => {
    const site = c.req.header("sec-fetch-site");
    if (site && site !== "same-origin" && site !== "none")
      return c.json(
        { error: { code: "cross_site", message: "Sign out from your builder's own page." } },
        403,
      );
    const value = getCookie(c, SESSION_COOKIE);
    if (value) await closeSession(options.db, value);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure, httpOnly: true, sameSite: "Lax" });
    return c.html(signInPage(options, undefined, "You are signed out."), 200);
  });
  return app;
}

/** Everything else needs the owner's session: pages get a page that says how to sign in, APIs get JSON. */
export function requireOwner(db: Database, options: Omit<AuthOptions, "db" | "ownerPublicKey">) {
  const tenant = options.tenant;
  return createMiddleware<{ Variables: { ownerEmail: string } }>(async (c, next) => {
    const value = getCookie(c, SESSION_COOKIE);
    const session = value ? await findSession(db, value, options.ownerEmail) : undefined;
    if (session) {
      c.set("ownerEmail", session.email);
      return next();
    }
    const wantsHtml = !c.req.path.startsWith("/api/") && (c.req.header("accept") ?? "").includes("text/html");
    if (wantsHtml) return c.html(signInPage(options), 401);
    return c.json(
      {
        error: {
          code: "not_signed_in",
          message: `Sign in first: ask for a sign-in link by email on this page, or run \`websplat tenants owner-link ${tenant}\`.`,
        },
      },
      401,
    );
  });
}
