import type { Context, Hono } from "hono";
import { z } from "zod";
import { signInEmail } from "../email/index.ts";
import { clientAddressOf } from "../http/client-address.ts";
import { TokenBuckets } from "../http/rate-limit.ts";
import { ownerLink } from "../platform-services.ts";
import { audit } from "../registry/audit.ts";
import { findTenant } from "../registry/tenants.ts";
import type { AccountDeps } from "./deps.ts";
import { issueLink, redeemLink, SIGN_IN_LINK_SECONDS, usableLink } from "./links.ts";
import { normalizeEmail, sameEmail, tenantsOwnedBy } from "./owners.ts";
import { chooseTenantPage, continuePage, linkRefusedPage, linkSentPage, signInPage } from "./pages.ts";

/** Per address: a few links an hour is plenty for a person and useless for flooding an inbox. */
const PER_EMAIL = { burst: 5, perSecond: 5 / 3600 };
/** Per client: enough for an office behind one address, too few to probe many addresses. */
const PER_CLIENT = { burst: 20, perSecond: 30 / 3600 };

const signInForm = z.object({
  email: z.email("enter a valid email address").max(254),
  tenant: z.string().max(63).optional(),
});

const REFUSED = "This sign-in link was already used or has expired; each link works once, for a short time.";

/** DESIGN §13: `GET /signin`, `POST /signin` (form-encoded `email`), and the links the emails carry. */
export function signInRoutes(app: Hono, deps: AccountDeps) {
  const byEmail = new TokenBuckets();
  const byClient = new TokenBuckets();

  app.get("/signin", (c) => c.html(signInPage({ tenant: validSlug(c.req.query("tenant")) })));

  app.post("/signin", async (c) => {
    const form = signInForm.safeParse(await formOf(c));
    if (!form.success) {
      return c.html(signInPage({ problem: "Enter the email address you signed up with." }), 400);
    }
    const email = normalizeEmail(form.data.email);
    const wait = Math.max(byClient.take(clientAddressOf(c), PER_CLIENT), byEmail.take(email, PER_EMAIL));
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      return c.html(
        signInPage({
          email,
          problem: `Too many sign-in requests; try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? "s" : ""}.`,
        }),
        429,
      );
    }
    // Looked up and sent off the request: the answer takes as long for unknown addresses as for known ones.
    void sendSignInLink(deps, email, validSlug(form.data.tenant)).catch((error) =>
      deps.services.logger.error({ err: error }, "could not send a sign-in link"),
    );
    return c.html(linkSentPage(email));
  });

  // The token is in the query string (request logs record the path only). GET shows what the link
  // opens and POST uses it, so a mail scanner that follows links cannot use one up.
  app.get("/signin/link", async (c) => {
    const token = c.req.query("token") ?? "";
    const link = await usableLink(deps.services.db, token, "sign_in");
    if (!link) return c.html(linkRefusedPage(REFUSED), 410);
    const hosts = link.slugs.map((slug) => ({ slug, host: hostOf(deps, slug) }));
    return c.html(chooseTenantPage({ token, hosts }));
  });

  app.post("/signin/link", async (c) => {
    const form = await formOf(c);
    const token = typeof form.token === "string" ? form.token : "";
    const slug = typeof form.tenant === "string" ? form.tenant : "";
    const link = await usableLink(deps.services.db, token, "sign_in");
    if (!link?.slugs.includes(slug)) return c.html(linkRefusedPage(REFUSED), 410);
    const tenant = await findTenant(deps.services.db, slug);
    // The owner may have changed since the link was sent: it opens only what that address still owns.
    if (!tenant || !sameEmail(tenant.email, link.email) || tenant.desired === "deleted") {
      return c.html(linkRefusedPage("This link is for a builder this email no longer owns."), 410);
    }
    if (!(await redeemLink(deps.services.db, token, "sign_in"))) return c.html(linkRefusedPage(REFUSED), 410);
    const owner = ownerLink(deps.services, tenant);
    await audit(deps.services, "owner", "owner.sign_in_by_email", slug, { expiresAt: owner.expiresAt });
    c.header("cache-control", "no-store");
    return c.html(continuePage({ url: owner.url, host: hostOf(deps, slug) }));
  });
}

async function sendSignInLink(deps: AccountDeps, email: string, tenant: string | undefined): Promise<void> {
  const owned = await tenantsOwnedBy(deps.services.db, email);
  if (owned.length === 0) return;
  const only = owned.filter((row) => row.slug === tenant);
  const slugs = (only.length > 0 ? only : owned).map((row) => row.slug);
  const { token, expiresAt } = await issueLink(deps.services.db, {
    purpose: "sign_in",
    email,
    slugs,
    ttlSeconds: SIGN_IN_LINK_SECONDS,
  });
  await deps.services.mailer.send(
    owned[0]!.email,
    signInEmail(deps.sender(), {
      link: signInLinkUrl(deps, token),
      hosts: slugs.map((slug) => hostOf(deps, slug)),
      expiresAt,
    }),
    { lane: "sign-in" },
  );
}

export function signInLinkUrl(deps: AccountDeps, token: string): string {
  return `${deps.services.config.publicUrl}/signin/link?token=${encodeURIComponent(token)}`;
}

function hostOf(deps: AccountDeps, slug: string): string {
  return new URL(deps.tenantUrl(slug)).host;
}

function validSlug(value: string | undefined): string | undefined {
  return value && /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/.test(value) ? value : undefined;
}

/** Form fields; any other body is an empty form (and so a clear 400), never a 500. */
async function formOf(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data"))
    return {};
  try {
    return await c.req.parseBody();
  } catch {
    return {};
  }
}

export { formOf };
