import { and, eq, gt } from "drizzle-orm";
import type { Hono } from "hono";
import { html } from "hono/html";
import { isTierName, lookupKeyFor, TIER_NAMES, TIERS, type TierName } from "../../tenant-template/index.ts";
import type { AccountDeps } from "../accounts/deps.ts";
import { formOf } from "../accounts/sign-in.ts";
import { localPortalSessions } from "../db/schema.ts";
import { findTenant, type Tenant } from "../registry/tenants.ts";
import { page } from "../web/layout.ts";
import { sendSignedEvent } from "./local-checkout.ts";
import type { StripeClient } from "./stripe-client.ts";

export interface LocalPortalDeps extends AccountDeps {
  /** Signs events exactly as Stripe does. */
  verifier: StripeClient;
  webhookSecret: string;
  /** Where our own webhook listens (loopback). */
  webhookUrl: () => string;
}

type PortalSession = typeof localPortalSessions.$inferSelect;

/**
 * The local billing portal (no Stripe account): changing the plan, cancelling and resuming send correctly
 * signed `customer.subscription.updated` / `.deleted` events to our own webhook, so the tenant changes
 * exactly as it does when Stripe's portal sends them.
 */
export function localPortalRoutes(app: Hono, deps: LocalPortalDeps) {
  app.get("/billing/local/:id", async (c) => {
    const found = await open(deps, c.req.param("id"));
    if (!found) return c.html(expiredPage(), 404);
    return c.html(portalPage(deps, found.session, found.tenant, c.req.query("done")));
  });

  app.post("/billing/local/:id/:action{plan|cancel|resume}", async (c) => {
    const found = await open(deps, c.req.param("id"));
    if (!found) return c.html(expiredPage(), 404);
    const { session, tenant } = found;
    const action = c.req.param("action");
    const form = await formOf(c);
    const tier = action === "plan" ? form.tier : tenant.tier;
    if (!isTierName(tier)) return c.html(portalPage(deps, session, tenant, "pick a plan"), 400);
    const cancelled = tenant.deleteAfter !== null;
    if (
      (action === "plan" && cancelled) ||
      (action === "resume" && !cancelled) ||
      (action === "cancel" && cancelled)
    )
      return c.redirect(`/billing/local/${session.id}`, 303);
    await sendSignedEvent(deps, {
      type: action === "cancel" ? "customer.subscription.deleted" : "customer.subscription.updated",
      // Strictly after the last change applied: events older than it are ignored by design.
      created: Math.max(Math.floor(Date.now() / 1000), (tenant.subscriptionEventAt ?? 0) + 1),
      object: subscriptionObject(tenant, tier, action === "cancel" ? "canceled" : "active"),
    });
    return c.redirect(`/billing/local/${session.id}?done=${action}`, 303);
  });
}

async function open(
  deps: LocalPortalDeps,
  id: string,
): Promise<{ session: PortalSession; tenant: Tenant } | null> {
  if (!/^bps_local_[0-9a-f]{32}$/.test(id)) return null;
  const [session] = await deps.services.db
    .select()
    .from(localPortalSessions)
    .where(and(eq(localPortalSessions.id, id), gt(localPortalSessions.expiresAt, new Date())));
  const tenant = session ? await findTenant(deps.services.db, session.slug) : undefined;
  return session && tenant?.stripeSubscriptionId && tenant.desired !== "deleted" ? { session, tenant } : null;
}

/** The subscription as Stripe would send it after the change: the tier is its price's lookup key. */
function subscriptionObject(tenant: Tenant, tier: TierName, status: "active" | "canceled") {
  return {
    id: tenant.stripeSubscriptionId,
    object: "subscription",
    customer: tenant.stripeCustomerId,
    status,
    cancel_at_period_end: false,
    metadata: { websplat_tenant: tenant.slug, websplat_tier: tier },
    items: {
      object: "list",
      data: [
        {
          object: "subscription_item",
          price: {
            id: `price_local_${tier}`,
            object: "price",
            lookup_key: lookupKeyFor(tier),
            recurring: { interval: "month" },
            unit_amount: TIERS[tier].monthlyPriceCents,
            currency: "usd",
          },
          quantity: 1,
        },
      ],
    },
    livemode: false,
  };
}

const DONE: Record<string, string> = {
  plan: "Plan change sent. It applies in a moment; reload to see it.",
  cancel: "Cancellation sent: the builder is suspended and its data kept until the deletion date.",
  resume: "Subscription resumed: the builder starts again in a moment.",
};

function portalPage(deps: LocalPortalDeps, session: PortalSession, tenant: Tenant, done?: string) {
  const host = new URL(deps.tenantUrl(tenant.slug)).host;
  const retentionDays = deps.services.config.WEBSPLAT_RETENTION_DAYS;
  const cancelled = tenant.deleteAfter !== null;
  const price = (tier: TierName) => `$${(TIERS[tier].monthlyPriceCents / 100).toFixed(2)} / month`;
  return page({
    title: "Plan and billing",
    body: html`<h1>Plan and billing</h1>
<p class="muted">No Stripe account is configured, so this local page stands in for Stripe's billing portal. Every change is sent to the platform as a signed Stripe event.</p>
${done && DONE[done] ? html`<p role="status" class="card">${DONE[done]}</p>` : ""}
<div class="card"><h2>${host}</h2>
<p>Plan: <strong id="current-tier">${TIERS[tenant.tier].title}</strong> · ${cancelled ? html`<strong class="error">cancelled</strong>: data kept until ${tenant.deleteAfter!.toUTCString()}` : "active"}</p></div>
${
  cancelled
    ? html`<form method="post" action="/billing/local/${session.id}/resume"><button type="submit">Resume subscription</button></form>`
    : html`<h2>Change plan</h2><ul class="plans">${TIER_NAMES.filter((tier) => tier !== tenant.tier).map(
        (tier) => {
          const limits = TIERS[tier];
          const over = session.sites > limits.sites;
          return html`<li class="card"><form method="post" action="/billing/local/${session.id}/plan">
<input type="hidden" name="tier" value="${tier}">
<p><strong>${limits.title}</strong> — ${price(tier)} · ${limits.sites} site${limits.sites === 1 ? "" : "s"}</p>
${over ? html`<p class="warning" role="note">You have ${session.sites} sites and ${limits.title} includes ${limits.sites}. Nothing is deleted: every site and its history stays, but you cannot start new sites until you are within the limit.</p>` : ""}
<button type="submit">Switch to ${limits.title}</button></form></li>`;
        },
      )}</ul>
<h2>Cancel</h2>
<form method="post" action="/billing/local/${session.id}/cancel"><p>Cancelling suspends the builder now. Its data is kept for ${retentionDays} days, then deleted; you can resume until then.</p>
<button type="submit" class="secondary">Cancel subscription</button></form>`
}
<p><a href="${session.returnUrl}">Back to your builder</a></p>
<style>.plans{list-style:none;padding:0;display:grid;gap:.75rem}.warning{color:#92400e}</style>`,
  });
}

function expiredPage() {
  return page({
    title: "Billing session expired",
    body: html`<h1>This billing session has expired</h1><p>Open <em>Plan and billing</em> in your builder again to start a new one.</p>`,
  });
}
