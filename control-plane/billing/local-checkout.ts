import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Hono } from "hono";
import { html } from "hono/html";
import { lookupKeyFor, TIERS, type TierName } from "../../tenant-template/index.ts";
import type { Database } from "../db/client.ts";
import { localCheckouts } from "../db/schema.ts";
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
      await completeLocalCheckout(deps, checkout);
      await deps.db
        .update(localCheckouts)
        .set({ completedAt: new Date() })
        .where(eq(localCheckouts.id, checkout.id));
    }
    return c.redirect(checkout.successUrl, 303);
  });
}

type Checkout = typeof localCheckouts.$inferSelect;

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
