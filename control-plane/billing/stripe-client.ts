import Stripe from "stripe";

/**
 * The Stripe SDK, pinned to its own API version. Without a secret key (local mode) it is still used
 * to verify and to sign webhooks, which need no account.
 */
export function stripeClient(
  secretKey: string | undefined,
  options: { host?: string; port?: number; protocol?: "http" | "https" } = {},
) {
  return new Stripe(secretKey ?? "sk_test_local_mode_no_account", {
    maxNetworkRetries: 2,
    timeout: 10_000,
    appInfo: { name: "websplat-control-plane" },
    ...options,
  });
}

export type StripeClient = ReturnType<typeof stripeClient>;

/** The parts of Stripe objects the mapping reads; events are parsed defensively, whatever the API version. */
export interface StripeEventEnvelope {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

export function asString(value: unknown): string | null {
  if (typeof value === "string" && value.length > 0) return value;
  if (value && typeof value === "object" && typeof (value as { id?: unknown }).id === "string") {
    return (value as { id: string }).id;
  }
  return null;
}

export function metadataOf(object: Record<string, unknown>): Record<string, string> {
  const metadata = object.metadata;
  return metadata && typeof metadata === "object" ? (metadata as Record<string, string>) : {};
}

/** Lookup key of a subscription's first priced item. */
export function subscriptionLookupKey(subscription: Record<string, unknown>): string | null {
  const items = subscription.items as
    | { data?: Array<{ price?: { lookup_key?: string | null } }> }
    | undefined;
  for (const item of items?.data ?? []) {
    if (item.price?.lookup_key) return item.price.lookup_key;
  }
  return null;
}

/** An invoice's subscription: `parent.subscription_details.subscription` (current API), `subscription` before. */
export function invoiceSubscription(invoice: Record<string, unknown>): string | null {
  const parent = invoice.parent as { subscription_details?: { subscription?: unknown } } | undefined;
  return asString(parent?.subscription_details?.subscription) ?? asString(invoice.subscription);
}
