import { randomBytes } from "node:crypto";
import postgres from "postgres";
import Stripe from "stripe";
import type { RunningControlPlane } from "./control-plane.ts";
import { waitFor } from "./wait.ts";

/** Only used to sign and verify: no network call is ever made with this key. */
const stripe = new Stripe("sk_test_signing_only");

const id = (prefix: string) => `${prefix}_${randomBytes(10).toString("hex")}`;

export const now = () => Math.floor(Date.now() / 1000);

export interface StripeEvent {
  id: string;
  object: "event";
  created: number;
  type: string;
  data: { object: Record<string, unknown> };
}

export function stripeEvent(type: string, object: Record<string, unknown>, created = now()): StripeEvent {
  return { id: id("evt_test"), object: "event", created, type, data: { object } };
}

/** A Checkout Session as Stripe sends it in `checkout.session.completed` (Payment Link or our signup). */
export function checkoutSession(input: {
  slug: string;
  email?: string;
  customer?: string;
  subscription?: string;
  status?: string;
  paymentStatus?: string;
  tier?: string;
}): Record<string, unknown> {
  return {
    id: id("cs_test"),
    object: "checkout.session",
    mode: "subscription",
    status: input.status ?? "complete",
    payment_status: input.paymentStatus ?? "paid",
    client_reference_id: input.slug,
    customer: input.customer ?? id("cus_test"),
    customer_details: { email: input.email ?? `${input.slug}@example.com` },
    subscription: input.subscription ?? id("sub_test"),
    metadata: input.tier ? { websplat_tenant: input.slug, websplat_tier: input.tier } : {},
  };
}

/** A Subscription with one item priced by `lookupKey`. */
export function subscription(input: {
  id: string;
  slug?: string;
  customer?: string;
  status: string;
  lookupKey?: string;
}): Record<string, unknown> {
  return {
    id: input.id,
    object: "subscription",
    customer: input.customer ?? id("cus_test"),
    status: input.status,
    metadata: input.slug ? { websplat_tenant: input.slug } : {},
    items: {
      object: "list",
      data: [
        {
          id: id("si_test"),
          object: "subscription_item",
          price: { id: id("price_test"), object: "price", lookup_key: input.lookupKey ?? "websplat_starter" },
          quantity: 1,
        },
      ],
    },
  };
}

/** An invoice of the current API: its subscription under `parent.subscription_details`. */
export function invoice(subscriptionId: string): Record<string, unknown> {
  return {
    id: id("in_test"),
    object: "invoice",
    parent: { type: "subscription_details", subscription_details: { subscription: subscriptionId } },
  };
}

export function sign(payload: string, secret: string, timestamp?: number): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });
}

/** POSTs `payload` to the webhook, signed with the plane's secret unless a signature is given. */
export async function postWebhook(
  plane: Pick<RunningControlPlane, "url" | "webhookSecret">,
  payload: StripeEvent | string,
  options: { signature?: string | null; timestamp?: number } = {},
): Promise<Response> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const signature =
    options.signature === undefined ? sign(body, plane.webhookSecret, options.timestamp) : options.signature;
  return await fetch(`${plane.url}/webhooks/stripe`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(signature === null ? {} : { "stripe-signature": signature }),
    },
    body,
  });
}

/** Sends one signed event and expects the webhook to accept it. */
export async function deliver(
  plane: Pick<RunningControlPlane, "url" | "webhookSecret">,
  event: StripeEvent,
): Promise<void> {
  const response = await postWebhook(plane, event);
  if (response.status !== 200)
    throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
}

// biome-ignore lint/suspicious/noExplicitAny: tests read the admin API's fields as the contract states them
export type TenantJson = Record<string, any>;

export async function admin(
  plane: Pick<RunningControlPlane, "url" | "adminToken">,
  path: string,
  init: { method?: string; body?: unknown; token?: string | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? plane.adminToken : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return await fetch(`${plane.url}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

/** The tenant as the admin API shows it, or null when there is none. */
export async function getTenant(
  plane: Pick<RunningControlPlane, "url" | "adminToken">,
  slug: string,
): Promise<TenantJson | null> {
  const response = await admin(plane, `/admin/tenants/${slug}`);
  if (response.status === 404) return null;
  if (response.status !== 200)
    throw new Error(`GET tenant ${slug}: ${response.status} ${await response.text()}`);
  return (await response.json()) as TenantJson;
}

/** Waits until the tenant matches `predicate`; returns it. */
export async function waitForTenant(
  plane: Pick<RunningControlPlane, "url" | "adminToken">,
  slug: string,
  predicate: (tenant: TenantJson) => boolean,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<TenantJson> {
  let last: TenantJson | null = null;
  try {
    return await waitFor(
      async () => {
        last = await getTenant(plane, slug);
        return last && predicate(last) ? last : null;
      },
      { timeoutMs: options.timeoutMs ?? 30_000 },
    );
  } catch {
    throw new Error(
      `tenant ${slug} never reached ${options.what ?? "the expected state"}; last: ${JSON.stringify(last)}`,
    );
  }
}

/** Active and caught up with its desired state. */
export const settledActive = (tenant: TenantJson) =>
  tenant.status === "active" &&
  tenant.desired === "active" &&
  tenant.observedGeneration === tenant.generation;

export const ids = { customer: () => id("cus_test"), subscription: () => id("sub_test") };

/**
 * Waits until the control plane has processed `eventId` and returns its recorded outcome (read from the
 * control plane's database as its superuser), so "changes nothing" is asserted after processing, not before.
 */
export async function processedOutcome(
  plane: Pick<RunningControlPlane, "databaseUrl">,
  eventId: string,
  options: { timeoutMs?: number } = {},
): Promise<string> {
  const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await waitFor(
      async () => {
        const [row] =
          await sql`select outcome from control_plane.stripe_events where id = ${eventId} and processed_at is not null`;
        return row ? String(row.outcome) : null;
      },
      { timeoutMs: options.timeoutMs ?? 15_000, what: `event ${eventId} to be processed` },
    );
  } finally {
    await sql.end();
  }
}

/** How many events the control plane has recorded (accepted signatures). */
export async function recordedEvents(plane: Pick<RunningControlPlane, "databaseUrl">): Promise<number> {
  const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select count(*)::int as n from control_plane.stripe_events`;
    return Number(row?.n);
  } finally {
    await sql.end();
  }
}
