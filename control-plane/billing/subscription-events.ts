import { eq, or } from "drizzle-orm";
import { tierFromLookupKey } from "../../tenant-template/index.ts";
import type { Database } from "../db/client.ts";
import { type DesiredState, tenants } from "../db/schema.ts";
import { changeDesired, type DesiredChange, type Tenant } from "../registry/tenants.ts";
import type { BillingDeps, Outcome } from "./apply-event.ts";
import {
  asString,
  invoiceSubscription,
  metadataOf,
  type StripeEventEnvelope,
  subscriptionLookupKey,
} from "./stripe-client.ts";

/**
 * What subscription and invoice events do to the tenant they name (DESIGN §3 mapping), inside the
 * transaction that records the event. Each side keeps its own `created` mark, so a late event never undoes a newer one.
 */

const ACTIVE_STATUSES = new Set(["active", "trialing", "past_due"]);
const SUSPENDED_STATUSES = new Set(["unpaid", "paused", "canceled", "incomplete_expired"]);

async function tenantForSubscription(
  db: Database,
  subscription: Record<string, unknown>,
): Promise<Tenant | null> {
  const id = asString(subscription.id);
  const slug = metadataOf(subscription).websplat_tenant;
  const conditions = [
    id ? eq(tenants.stripeSubscriptionId, id) : undefined,
    slug ? eq(tenants.slug, slug) : undefined,
  ].filter((condition) => condition !== undefined);
  if (conditions.length === 0) return null;
  const rows = await db
    .select()
    .from(tenants)
    .where(or(...conditions))
    .for("update");
  // The subscription link wins over the metadata hint.
  return rows.find((row) => row.stripeSubscriptionId === id) ?? rows[0] ?? null;
}

export async function subscriptionChanged(
  db: Database,
  event: StripeEventEnvelope,
  subscription: Record<string, unknown>,
): Promise<Outcome> {
  const tenant = await tenantForSubscription(db, subscription);
  if (!tenant) return { outcome: "ignored: no tenant for this subscription", slug: null, reconcile: false };
  if (tenant.desired === "deleted" || tenant.status === "deleted") {
    return { outcome: "ignored: tenant deleted", slug: tenant.slug, reconcile: false };
  }
  if (tenant.subscriptionEventAt !== null && event.created < tenant.subscriptionEventAt) {
    return { outcome: "ignored: older than the last applied change", slug: tenant.slug, reconcile: false };
  }
  const status = String(subscription.status);
  const desired: DesiredState | null = ACTIVE_STATUSES.has(status)
    ? "active"
    : SUSPENDED_STATUSES.has(status)
      ? "suspended"
      : null;
  const tier = tierFromLookupKey(subscriptionLookupKey(subscription));
  const change: DesiredChange = {
    subscriptionEventAt: event.created,
    stripeSubscriptionId: asString(subscription.id),
    stripeCustomerId: asString(subscription.customer) ?? tenant.stripeCustomerId,
    ...(newerThanInvoices(tenant, event) ? { grace: status === "past_due" } : {}),
    ...(tier ? { tier } : {}),
  };
  // `incomplete`: the first payment is pending; nothing to run yet, nothing to stop.
  if (desired) {
    change.desired = desired;
    if (desired === "active") change.deleteAfter = null;
  }
  if (tenant.status === "awaiting_payment" && desired !== "active") change.status = "awaiting_payment";
  const { reconcile } = await changeDesired(db, tenant, change);
  return { outcome: `applied: ${status}${tier ? ` (${tier})` : ""}`, slug: tenant.slug, reconcile };
}

export async function subscriptionDeleted(
  db: Database,
  deps: BillingDeps,
  event: StripeEventEnvelope,
  subscription: Record<string, unknown>,
): Promise<Outcome> {
  const tenant = await tenantForSubscription(db, subscription);
  if (!tenant) return { outcome: "ignored: no tenant for this subscription", slug: null, reconcile: false };
  if (tenant.desired === "deleted")
    return { outcome: "ignored: already deleted", slug: tenant.slug, reconcile: false };
  if (tenant.subscriptionEventAt !== null && event.created < tenant.subscriptionEventAt) {
    return { outcome: "ignored: older than the last applied change", slug: tenant.slug, reconcile: false };
  }
  const deleteAfter = new Date(Date.now() + deps.retentionDays * 86_400_000);
  const now = deps.retentionDays === 0;
  // The deleted subscription still names its price: the tier of its last state, whatever arrived before.
  const tier = tierFromLookupKey(subscriptionLookupKey(subscription));
  const { reconcile } = await changeDesired(db, tenant, {
    desired: now ? "deleted" : "suspended",
    deleteAfter,
    ...(newerThanInvoices(tenant, event) ? { grace: false } : {}),
    ...(tier ? { tier } : {}),
    subscriptionEventAt: event.created,
  });
  return {
    outcome: now
      ? "applied: deleted (no retention)"
      : `applied: suspended, deletion on ${deleteAfter.toISOString()}`,
    slug: tenant.slug,
    reconcile,
  };
}

export async function invoiceSettled(
  db: Database,
  event: StripeEventEnvelope,
  invoice: Record<string, unknown>,
): Promise<Outcome> {
  const subscriptionId = invoiceSubscription(invoice);
  if (!subscriptionId)
    return { outcome: "ignored: invoice without subscription", slug: null, reconcile: false };
  const [tenant] = await db
    .select()
    .from(tenants)
    .where(eq(tenants.stripeSubscriptionId, subscriptionId))
    .for("update");
  if (!tenant) return { outcome: "ignored: no tenant for this subscription", slug: null, reconcile: false };
  if (tenant.invoiceEventAt !== null && event.created < tenant.invoiceEventAt) {
    return { outcome: "ignored: older than the last invoice event", slug: tenant.slug, reconcile: false };
  }
  const grace = event.type === "invoice.payment_failed";
  // Subscription events set the flag too: the later of the two, by `created`, has the last word.
  const current = tenant.subscriptionEventAt === null || event.created >= tenant.subscriptionEventAt;
  await changeDesired(db, tenant, { ...(current ? { grace } : {}), invoiceEventAt: event.created });
  return {
    outcome: current
      ? grace
        ? "applied: grace period"
        : "applied: paid"
      : "applied: recorded (older than the last subscription change)",
    slug: tenant.slug,
    reconcile: false,
  };
}

/** The grace flag has two writers (subscription and invoice events): only the later one by `created` sets it. */
function newerThanInvoices(tenant: Tenant, event: StripeEventEnvelope): boolean {
  return tenant.invoiceEventAt === null || event.created >= tenant.invoiceEventAt;
}
