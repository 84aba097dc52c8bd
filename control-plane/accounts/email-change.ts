import type { Hono } from "hono";
import { html } from "hono/html";
import { z } from "zod";
import { emailChangeEmail } from "../email/index.ts";
import { errorBody } from "../http/errors.ts";
import { type RateLimit, TokenBuckets } from "../http/rate-limit.ts";
import { ownerLink } from "../platform-services.ts";
import { audit } from "../registry/audit.ts";
import { changeDesired, findTenant } from "../registry/tenants.ts";
import { page } from "../web/layout.ts";
import type { AccountDeps } from "./deps.ts";
import { EMAIL_CHANGE_LINK_SECONDS, issueLink, redeemLink, usableLink } from "./links.ts";
import { normalizeEmail, sameEmail } from "./owners.ts";
import { linkRefusedPage } from "./pages.ts";
import { formOf } from "./sign-in.ts";
import { tenantApiAuth } from "./tenant-api.ts";

const ChangeRequest = z.object({ email: z.email("enter a valid email address").max(254) });
const REFUSED = "This confirmation link was already used or has expired. Ask again from your builder.";

/** Per tenant: a few tries an hour is plenty for an owner who mistyped, and no use for sending mail at large. */
const PER_TENANT: RateLimit = { burst: 5, perSecond: 5 / 3600 };
/** Per recipient, whichever tenants ask: an address that never asked for mail gets at most a few. */
const PER_RECIPIENT: RateLimit = { burst: 3, perSecond: 3 / 86_400 };

/**
 * Owner email change: the runtime asks (tenant API), the new address confirms through a link, and the
 * tenant is reconciled with the new owner email, which revokes every session of the old one.
 */
export function emailChangeRoutes(app: Hono, deps: AccountDeps) {
  const byTenant = new TokenBuckets();
  const byRecipient = new TokenBuckets();
  app.use("/api/account/*", tenantApiAuth(deps.services.ownerPrivateKey));

  app.post("/api/account/email", async (c) => {
    const slug = c.req.header("x-websplat-tenant")!;
    const body = ChangeRequest.safeParse(await c.req.json().catch(() => null));
    if (!body.success)
      return c.json(errorBody("invalid_email", 'Give the new address as {"email": …}.'), 400);
    const tenant = await findTenant(deps.services.db, slug);
    if (!tenant || tenant.desired === "deleted")
      return c.json(errorBody("not_found", `No tenant ${slug}.`), 404);
    const email = normalizeEmail(body.data.email);
    if (sameEmail(email, tenant.email))
      return c.json(errorBody("unchanged", "That is already the owner's email."), 409);
    const wait = Math.max(byTenant.peek(slug, PER_TENANT), byRecipient.peek(email, PER_RECIPIENT));
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      return c.json(
        errorBody(
          "rate_limited",
          `Too many email change requests; check the inbox of the new address for the link already sent, or try again in ${inWords(wait)}.`,
        ),
        429,
      );
    }
    byTenant.take(slug, PER_TENANT);
    byRecipient.take(email, PER_RECIPIENT);
    const { token, expiresAt } = await issueLink(deps.services.db, {
      purpose: "email_change",
      email,
      slugs: [slug],
      ttlSeconds: EMAIL_CHANGE_LINK_SECONDS,
    });
    await deps.services.mailer.send(
      email,
      emailChangeEmail(deps.sender(), {
        host: new URL(deps.tenantUrl(slug)).host,
        link: `${deps.services.config.publicUrl}/account/email/confirm?token=${encodeURIComponent(token)}`,
        expiresAt,
      }),
    );
    await audit(deps.services, "owner", "owner.email_change_requested", slug, {});
    return c.json({ sentTo: email, expiresAt: expiresAt.toISOString() }, 202);
  });

  app.get("/account/email/confirm", async (c) => {
    const token = c.req.query("token") ?? "";
    const link = await usableLink(deps.services.db, token, "email_change");
    if (!link) return c.html(linkRefusedPage(REFUSED), 410);
    return c.html(
      page({
        title: "Confirm your new email",
        body: html`<h1>Confirm your new email</h1>
<p>Use <strong>${link.email}</strong> as the owner email of ${new URL(deps.tenantUrl(link.slugs[0]!)).host}? Every device signed in with the old address is signed out.</p>
<form method="post" action="/account/email/confirm"><input type="hidden" name="token" value="${token}"><button type="submit">Confirm</button></form>`,
      }),
    );
  });

  app.post("/account/email/confirm", async (c) => {
    const form = await formOf(c);
    const link = await redeemLink(
      deps.services.db,
      typeof form.token === "string" ? form.token : "",
      "email_change",
    );
    const slug = link?.slugs[0];
    const tenant = slug ? await findTenant(deps.services.db, slug) : undefined;
    if (!link || !tenant || tenant.desired === "deleted") return c.html(linkRefusedPage(REFUSED), 410);
    const { tenant: changed } = await changeDesired(deps.services.db, tenant, { email: link.email });
    // The runtime is restarted with the new WEBSPLAT_OWNER_EMAIL: sessions of the old address end.
    await deps.services.reconciler.request(tenant.slug, "owner email changed");
    await audit(deps.services, "owner", "owner.email_changed", tenant.slug, {});
    const owner = ownerLink(deps.services, changed);
    return c.html(
      page({
        title: "Email changed",
        body: html`<h1>Your email is changed</h1>
<p>From now on, <strong>${link.email}</strong> owns ${new URL(deps.tenantUrl(tenant.slug)).host}. Devices signed in with the old address are signed out.</p>
<p><a class="button" href="${owner.url}">Sign in again</a></p>`,
      }),
    );
  });
}

function inWords(seconds: number): string {
  if (seconds >= 5400) return `${Math.ceil(seconds / 3600)} hours`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "a minute" : `${minutes} minutes`;
}
