import { randomBytes } from "node:crypto";
import type { Hono } from "hono";
import { z } from "zod";
import type { AccountDeps } from "../accounts/deps.ts";
import { tenantApiAuth } from "../accounts/tenant-api.ts";
import { localPortalSessions } from "../db/schema.ts";
import { ApiError, errorBody } from "../http/errors.ts";
import { audit } from "../registry/audit.ts";
import { findTenant, type Tenant } from "../registry/tenants.ts";
import { type LocalPortalDeps, localPortalRoutes } from "./portal-local.ts";
import type { StripeClient } from "./stripe-client.ts";

export interface PortalDeps extends AccountDeps, Omit<LocalPortalDeps, keyof AccountDeps> {
  /** The Stripe API; null in local mode, where the portal is our own page. */
  stripe: StripeClient | null;
}

const PortalRequest = z.object({
  returnUrl: z.url(),
  /** Sites the tenant has now, so a downgrade below it is explained before it happens. */
  sites: z.number().int().min(0).max(10_000).default(0),
});

/** A local portal session is good for an hour, like Stripe's. */
const LOCAL_PORTAL_SECONDS = 3600;

/**
 * `POST /api/billing/portal` (DESIGN §13), called by the tenant's runtime with its own credential: a Stripe
 * Billing Portal session for the tenant's customer, or (local mode) our own portal page.
 */
export function portalRoutes(app: Hono, deps: PortalDeps) {
  app.use("/api/billing/*", tenantApiAuth(deps.services.ownerPrivateKey));
  app.post("/api/billing/portal", async (c) => {
    const slug = c.req.header("x-websplat-tenant")!;
    const body = PortalRequest.safeParse(await c.req.json().catch(() => null));
    if (!body.success)
      return c.json(
        errorBody("invalid_request", 'Send {"returnUrl": <a URL of your builder>, "sites": n}.'),
        400,
      );
    const tenant = await findTenant(deps.services.db, slug);
    if (!tenant || tenant.desired === "deleted")
      return c.json(errorBody("not_found", `No tenant ${slug}.`), 404);
    const returnUrl = ownReturnUrl(deps, slug, body.data.returnUrl);
    const url = deps.stripe
      ? await stripePortal(deps.stripe, tenant, returnUrl)
      : await localPortal(deps, tenant, returnUrl, body.data.sites);
    await audit(deps.services, "owner", "billing.portal_opened", slug, { local: !deps.stripe });
    return c.json({ url }, 201);
  });
  if (!deps.stripe) localPortalRoutes(app, deps);
}

/** The portal sends the owner back only to their own builder, never to an address a caller chose. */
function ownReturnUrl(deps: AccountDeps, slug: string, requested: string): string {
  const own = new URL(deps.tenantUrl(slug));
  const url = new URL(requested);
  if (url.origin !== own.origin)
    throw new ApiError(400, "invalid_return_url", `The return URL must be on ${own.origin}.`);
  return url.toString();
}

export async function stripePortal(stripe: StripeClient, tenant: Tenant, returnUrl: string): Promise<string> {
  if (!tenant.stripeCustomerId) throw noSubscription();
  const configuration = await portalConfiguration(stripe);
  const session = await stripe.billingPortal.sessions.create({
    customer: tenant.stripeCustomerId,
    return_url: returnUrl,
    ...(configuration ? { configuration } : {}),
  });
  return session.url;
}

const configurations = new WeakMap<StripeClient, Promise<string | null>>();

/** The configuration `scripts/stripe-setup.ts` made (`metadata.websplat = portal`); else the account's default. */
function portalConfiguration(stripe: StripeClient): Promise<string | null> {
  let found = configurations.get(stripe);
  if (!found) {
    found = stripe.billingPortal.configurations
      .list({ active: true, limit: 100 })
      .then((list) => list.data.find((each) => each.metadata?.websplat === "portal")?.id ?? null);
    // A failed lookup is asked again next time rather than remembered.
    found.catch(() => configurations.delete(stripe));
    configurations.set(stripe, found);
  }
  return found;
}

async function localPortal(
  deps: PortalDeps,
  tenant: Tenant,
  returnUrl: string,
  sites: number,
): Promise<string> {
  if (!tenant.stripeSubscriptionId) throw noSubscription();
  const id = `bps_local_${randomBytes(16).toString("hex")}`;
  await deps.services.db.insert(localPortalSessions).values({
    id,
    slug: tenant.slug,
    returnUrl,
    sites,
    expiresAt: new Date(Date.now() + LOCAL_PORTAL_SECONDS * 1000),
  });
  return `${deps.services.config.publicUrl}/billing/local/${id}`;
}

function noSubscription() {
  return new ApiError(
    409,
    "no_subscription",
    "This WebSplat has no subscription to manage (an administrator created it); ask support to change the plan.",
  );
}
