import { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Database } from "../db/index.ts";
import { signInPage } from "../ui/sign-in-page.ts";
import { ownerKey, verifyOwnerToken } from "./owner-token.ts";
import {
  consumeSignInToken,
  findSession,
  openSession,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
} from "./sessions.ts";

export interface AuthOptions {
  db: Database;
  tenant: string;
  publicUrl: string;
  ownerPublicKey: string;
}

/** `/auth/callback?token=…`: exchanges a one-time link from the control plane for a session cookie. */
export function signInRoutes(options: AuthOptions) {
  const key = ownerKey(options.ownerPublicKey);
  const secure = options.publicUrl.startsWith("https:");
  return new Hono().get("/auth/callback", async (c) => {
    const token = c.req.query("token") ?? "";
    const check = verifyOwnerToken(key, token, { tenant: options.tenant });
    if (!check.ok)
      return c.html(signInPage(options.tenant, `This sign-in link can't be used: ${check.reason}.`), 401);
    if (!(await consumeSignInToken(options.db, check.claims.jti, check.claims.sub))) {
      return c.html(
        signInPage(options.tenant, "This sign-in link was already used; each link works once."),
        401,
      );
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
}

/** Everything else needs the owner's session: pages get a page that says how to sign in, APIs get JSON. */
export function requireOwner(db: Database, tenant: string) {
  return createMiddleware<{ Variables: { ownerEmail: string } }>(async (c, next) => {
    const value = getCookie(c, SESSION_COOKIE);
    const session = value ? await findSession(db, value) : undefined;
    if (session) {
      c.set("ownerEmail", session.email);
      return next();
    }
    const wantsHtml = !c.req.path.startsWith("/api/") && (c.req.header("accept") ?? "").includes("text/html");
    if (wantsHtml) return c.html(signInPage(tenant), 401);
    return c.json(
      {
        error: {
          code: "not_signed_in",
          message: `Sign in first: open the link on your welcome page or run \`websplat tenants owner-link ${tenant}\`.`,
        },
      },
      401,
    );
  });
}
