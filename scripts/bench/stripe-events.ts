import { randomBytes } from "node:crypto";
import Stripe from "stripe";

/** Only signs: no request is ever made with this key. */
const stripe = new Stripe("sk_test_x");

const id = (prefix: string) => `${prefix}_${randomBytes(10).toString("hex")}`;

export interface SignedEvent {
  body: string;
  signature: string;
}

export function signEvent(type: string, object: Record<string, unknown>, secret: string): SignedEvent {
  const body = JSON.stringify({
    id: id("evt_bench"),
    object: "event",
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
  });
  return { body, signature: stripe.webhooks.generateTestHeaderString({ payload: body, secret }) };
}

/** What a Payment Link sends when a customer pays: the slug in `client_reference_id`. */
export function checkoutCompleted(slug: string, secret: string, tier = "starter"): SignedEvent {
  return signEvent(
    "checkout.session.completed",
    {
      id: id("cs_bench"),
      object: "checkout.session",
      mode: "subscription",
      status: "complete",
      payment_status: "paid",
      client_reference_id: slug,
      customer: id("cus_bench"),
      customer_details: { email: `${slug}@example.com` },
      subscription: id("sub_bench"),
      metadata: { websplat_tier: tier },
    },
    secret,
  );
}

/** An invoice for a subscription nobody has: recorded and processed, but provisions nothing. */
export function unknownInvoicePaid(secret: string): SignedEvent {
  return signEvent(
    "invoice.paid",
    {
      id: id("in_bench"),
      object: "invoice",
      status: "paid",
      parent: { type: "subscription_details", subscription_details: { subscription: id("sub_unknown") } },
    },
    secret,
  );
}
