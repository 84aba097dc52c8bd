import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { lookupKeyFor, TIERS, type TierName } from "../../tenant-template/index.ts";
import type { Database } from "../db/client.ts";
import { localCheckouts } from "../db/schema.ts";
import { checkoutRefusal } from "../registry/reservations.ts";
import { findTenant } from "../registry/tenants.ts";
import { page } from "../web/layout.ts";
import type { StripeClient } from "./stripe-client.ts";

export interface LocalCheckoutDeps {
  db: Database;
  /** Signs events exactly as Stripe does. */
  verifier: StripeClient;
  webhookSecret: string;
  /** Where our own webhook listens (loopback). */
  webhookUrl: () => string;
}

/**
 * The local test-payment page (no Stripe account): paying sends correctly signed
 * `checkout.session.completed` and `customer.subscription.created` events to our own webhook over HTTP,
 * so a local purchase takes the production path.
 */
export function localCheckoutRoutes(app: Hono<never>, deps: LocalCheckoutDeps) {
  app.get("/checkout/local/:id", async (c) => {
    const checkout = await findCheckout(deps, c.req.param("id"));
    if (!checkout) {
      return c.html(
        page({
          title: "Checkout not found",
          body: html`<h1>Checkout not found</h1><p>This checkout link is unknown or expired. <a href="/">Start again</a>.</p>`,
        }),
        404,
      );
    }
    if (checkout.completedAt) return c.redirect(checkout.successUrl, 303);
    const refusal = await payable(deps, checkout);
    if (refusal) return refusedPage(c, refusal);
    const tier = TIERS[checkout.tier as TierName];
    const price = `$${(tier.monthlyPriceCents / 100).toFixed(2)}`;
    return c.html(
      page({
        title: "Test payment",
        body: html`<div class="card">
  <h1>Test payment</h1>
  <p class="muted">No Stripe account is configured, so this local page stands in for Stripe Checkout. Paying sends signed Stripe events to this control plane.</p>
  <dl>
    <dt>Plan</dt><dd>WebSplat ${tier.title} — ${price} / month</dd>
    <dt>Address</dt><dd>${checkout.slug}</dd>
    <dt>Email</dt><dd>${checkout.email}</dd>
  </dl>
  <form method="post" action="/checkout/local/${checkout.id}/pay">
    <button type="submit">Pay ${price} (test)</button>
    <a href="${checkout.cancelUrl}">Cancel</a>
  </form>
</div>`,
      }),
    );
  });

  app.post("/checkout/local/:id/pay", async (c) => {
    const checkout = await findCheckout(deps, c.req.param("id"));
    if (!checkout) return c.text("Unknown checkout", 404);
    if (!checkout.completedAt) {
      const refusal = await payable(deps, checkout);
      if (refusal) return refusedPage(c, refusal);
      // Claimed before the events go out: two clicks pay once.
      const claimed = await deps.db
        .update(localCheckouts)
        .set({ completedAt: new Date() })
        .where(and(eq(localCheckouts.id, checkout.id), isNull(localCheckouts.completedAt)))
        .returning({ id: localCheckouts.id });
      if (claimed.length === 1) {
        try {
          await completeLocalCheckout(deps, checkout);
        } catch (error) {
          await deps.db
            .update(localCheckouts)
            .set({ completedAt: null })
            .where(eq(localCheckouts.id, checkout.id));
          throw error;
        }
      }
    }
    return c.redirect(checkout.successUrl, 303);
  });
}

type Checkout = typeof localCheckouts.$inferSelect;

/**
 * Why this checkout can no longer be paid, or null: like a Stripe session it expires with its reservation,
 * and once the slug's reservation belongs to a newer checkout, paying the old one would hand the tenant
 * to the wrong person.
 */
async function payable(deps: LocalCheckoutDeps, checkout: Checkout): Promise<string | null> {
  if (checkout.expiresAt && checkout.expiresAt.getTime() <= Date.now()) {
    return "This checkout has expired, and its reservation with it. Nothing was charged. Start a new signup to continue.";
  }
  const tenant = await findTenant(deps.db, checkout.slug);
  if (!tenant || checkoutRefusal(tenant, checkout.id) || tenant.checkoutSessionId !== checkout.id) {
    return "This checkout was replaced by a newer signup for the same address, so it can no longer be paid. Nothing was charged. Use the newest checkout link, or start a new signup.";
  }
  return null;
}

function refusedPage(c: Context<never>, reason: string) {
  return c.html(
    page({
      title: "Checkout no longer valid",
      body: html`<h1>This checkout can no longer be paid</h1><p>${reason}</p><p><a href="/">Start again</a></p>`,
    }),
    410,
  );
}

async function completeLocalCheckout(deps: LocalCheckoutDeps, checkout: Checkout): Promise<void> {
  const created = Math.floor(Date.now() / 1000);
  const subscriptionId = `sub_local_${randomBytes(10).toString("hex")}`;
  const metadata = { websplat_tenant: checkout.slug, websplat_tier: checkout.tier };
  const session = {
    id: checkout.id,
    object: "checkout.session",
    mode: "subscription",
    status: "complete",
    payment_status: "paid",
    client_reference_id: checkout.slug,
    customer: checkout.customerId,
    customer_details: { email: checkout.email },
    subscription: subscriptionId,
    metadata,
    livemode: false,
  };
  const subscription = {
    id: subscriptionId,
    object: "subscription",
    customer: checkout.customerId,
    status: "active",
    metadata,
    items: {
      object: "list",
      data: [
        {
          id: `si_local_${randomBytes(8).toString("hex")}`,
          object: "subscription_item",
          price: {
            id: `price_local_${checkout.tier}`,
            object: "price",
            lookup_key: lookupKeyFor(checkout.tier as TierName),
            recurring: { interval: "month" },
            unit_amount: TIERS[checkout.tier as TierName].monthlyPriceCents,
            currency: "usd",
          },
          quantity: 1,
        },
      ],
    },
    livemode: false,
  };
  await sendSignedEvent(deps, { type: "checkout.session.completed", created, object: session });
  await sendSignedEvent(deps, { type: "customer.subscription.created", created, object: subscription });
}

/** Posts one event, signed with the webhook secret, to our own webhook; throws unless it was accepted. */
export async function sendSignedEvent(
  deps: Pick<LocalCheckoutDeps, "verifier" | "webhookSecret" | "webhookUrl">,
  input: { type: string; created: number; object: Record<string, unknown>; id?: string },
): Promise<void> {
  const payload = JSON.stringify({
    id: input.id ?? `evt_local_${randomBytes(12).toString("hex")}`,
    object: "event",
    api_version: null,
    created: input.created,
    type: input.type,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: input.object },
  });
  const signature = await deps.verifier.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: deps.webhookSecret,
  });
  const response = await fetch(deps.webhookUrl(), {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": signature },
    body: payload,
  });
  if (!response.ok) throw new Error(`the webhook answered ${response.status}: ${await response.text()}`);
}

/** A checkout by its id; an id Postgres cannot even hold (a NUL byte) is simply unknown, not a server error. */
async function findCheckout(deps: LocalCheckoutDeps, id: string) {
  if (id.includes("\0")) return undefined;
  const [checkout] = await deps.db.select().from(localCheckouts).where(eq(localCheckouts.id, id));
  return checkout;
}
