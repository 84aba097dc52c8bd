import { and, desc, eq, like, or } from "drizzle-orm";
import { isTierName, slugProblem, type TierName, tierFromLookupKey } from "../../tenant-template/index.ts";
import type { Database } from "../db/client.ts";
import { type DesiredState, stripeEvents, tenants } from "../db/schema.ts";
import { checkoutRefusal } from "../registry/reservations.ts";
import { changeDesired, type DesiredChange, findTenant, type Tenant } from "../registry/tenants.ts";
import {
  asString,
  invoiceSubscription,
  metadataOf,
  type StripeClient,
  type StripeEventEnvelope,
  subscriptionLookupKey,
} from "./stripe-client.ts";

export interface BillingDeps {
  db: Database;
  /** Set when STRIPE_SECRET_KEY is: subscriptions are re-fetched rather than trusted from the payload. */
  stripe: StripeClient | null;
  retentionDays: number;
  /** Called after the transaction that changed desired state commits. */
  reconcile: (slug: string, reason: string) => Promise<unknown>;
  audit?: (action: string, slug: string | null, details: Record<string, unknown>) => Promise<void>;
  /** Tells the owner what changed (welcome, payment failed, suspended, cancelled); after the commit. */
  notify?: (event: { type: string; id: string }, slug: string, outcome: string) => Promise<void>;
}

export type Outcome = {
  outcome: string;
  slug: string | null;
  reconcile: boolean;
  /** Events to process again now that their tenant exists (they arrived before its checkout). */
  replay?: string[];
};

const ACTIVE_STATUSES = new Set(["active", "trialing", "past_due"]);
const SUSPENDED_STATUSES = new Set(["unpaid", "paused", "canceled", "incomplete_expired"]);

/**
 * Applies one recorded Stripe event (DESIGN §3 mapping) in the transaction that marks it processed,
 * so an event's effect and its record commit together. Returns false when another worker has it.
 */
export async function processStripeEvent(deps: BillingDeps, eventId: string): Promise<boolean> {
  const [stored] = await deps.db.select().from(stripeEvents).where(eq(stripeEvents.id, eventId));
  if (!stored || stored.processedAt) return false;
  const event = stored.payload as unknown as StripeEventEnvelope;
  // Network calls happen before the transaction, never inside it.
  const fresh = await refetchSubscription(deps, event);
  const result = await deps.db.transaction(async (tx) => {
    const [locked] = await tx
      .select()
      .from(stripeEvents)
      .where(eq(stripeEvents.id, eventId))
      .for("update", { skipLocked: true });
    if (!locked || locked.processedAt) return null;
    const outcome = await applyEvent(tx as unknown as Database, deps, event, fresh);
    await tx
      .update(stripeEvents)
      .set({ processedAt: new Date(), outcome: outcome.outcome, tenantSlug: outcome.slug })
      .where(eq(stripeEvents.id, eventId));
    return outcome;
  });
  if (!result) return false;
  // Provisioning first: the audit entry must not delay the customer's tenant.
  if (result.reconcile && result.slug) await deps.reconcile(result.slug, `stripe ${event.type} ${event.id}`);
  if (result.slug)
    await deps.audit?.(`billing.${event.type}`, result.slug, { event: event.id, outcome: result.outcome });
  if (result.slug) await deps.notify?.(event, result.slug, result.outcome);
  // In the order Stripe created them; each obeys the ordering rule against what is applied by now.
  for (const id of result.replay ?? []) await processStripeEvent(deps, id);
  return true;
}

async function refetchSubscription(
  deps: BillingDeps,
  event: StripeEventEnvelope,
): Promise<Record<string, unknown> | null> {
  if (!deps.stripe) return null;
  const object = event.data.object;
  const id = event.type.startsWith("customer.subscription.")
    ? asString(object.id)
    : event.type === "checkout.session.completed"
      ? asString(object.subscription)
      : null;
  if (!id) return null;
  try {
    return (await deps.stripe.subscriptions.retrieve(id)) as unknown as Record<string, unknown>;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
}

async function applyEvent(
  db: Database,
  deps: BillingDeps,
  event: StripeEventEnvelope,
  fresh: Record<string, unknown> | null,
): Promise<Outcome> {
  const object = event.data.object;
  switch (event.type) {
    case "checkout.session.completed":
      return await checkoutCompleted(db, event, object, fresh);
    case "customer.subscription.created":
    case "customer.subscription.updated":
      return await subscriptionChanged(db, event, fresh ?? object);
    case "customer.subscription.deleted":
      return await subscriptionDeleted(db, deps, event, object);
    case "invoice.paid":
    case "invoice.payment_failed":
      return await invoiceSettled(db, event, object);
    default:
      return { outcome: "ignored: event type not used", slug: null, reconcile: false };
  }
}

async function checkoutCompleted(
  db: Database,
  event: StripeEventEnvelope,
  session: Record<string, unknown>,
  subscription: Record<string, unknown> | null,
): Promise<Outcome> {
  const paid = session.payment_status === "paid" || session.payment_status === "no_payment_required";
  if (session.status !== "complete" || !paid) {
    return {
      outcome: `ignored: session ${String(session.status)}/${String(session.payment_status)}`,
      slug: null,
      reconcile: false,
    };
  }
  const metadata = metadataOf(session);
  const slug = asString(session.client_reference_id) ?? metadata.websplat_tenant ?? null;
  if (!slug) return { outcome: "rejected: no client_reference_id", slug: null, reconcile: false };
  const problem = slugProblem(slug);
  if (problem) return { outcome: `rejected: slug ${problem.code}`, slug: null, reconcile: false };

  const customerId = asString(session.customer);
  const subscriptionId = asString(session.subscription);
  subscription ??= subscriptionId ? await lastSubscriptionPayload(db, subscriptionId) : null;
  const email =
    asString((session.customer_details as { email?: unknown } | undefined)?.email) ??
    asString(session.customer_email);
  const hint = metadata.websplat_tier;
  const tier: TierName =
    tierFromLookupKey(subscription ? subscriptionLookupKey(subscription) : null) ??
    (isTierName(hint) ? hint : "starter");

  let tenant = await findTenant(db, slug, { lock: true });
  if (!tenant) {
    if (!email) return { outcome: "rejected: no customer email", slug: null, reconcile: false };
    const [created] = await db
      .insert(tenants)
      .values({
        slug,
        email,
        tier,
        desired: "active",
        generation: 0,
        status: "awaiting_payment",
        source: "checkout",
      })
      .returning();
    tenant = created!;
  }
  if (tenant.status === "deleted" || tenant.desired === "deleted") {
    return { outcome: "rejected: slug belongs to a deleted tenant", slug, reconcile: false };
  }
  const refusal = checkoutRefusal(tenant, asString(session.id));
  if (refusal) return { outcome: `rejected: ${refusal}`, slug, reconcile: false };
  if (tenant.stripeSubscriptionId && subscriptionId && tenant.stripeSubscriptionId !== subscriptionId) {
    const other = await db
      .select({ slug: tenants.slug })
      .from(tenants)
      .where(eq(tenants.stripeSubscriptionId, subscriptionId));
    if (other.length > 0)
      return { outcome: "rejected: subscription linked to another tenant", slug, reconcile: false };
  }
  const stale = tenant.subscriptionEventAt !== null && event.created < tenant.subscriptionEventAt;
  const change: DesiredChange = {
    stripeCustomerId: customerId ?? tenant.stripeCustomerId,
    stripeSubscriptionId: subscriptionId ?? tenant.stripeSubscriptionId,
    ...(email && tenant.source === "checkout" ? { email } : {}),
  };
  if (!stale) {
    change.desired = "active";
    change.deleteAfter = null;
    change.subscriptionEventAt = event.created;
    if (tenant.status === "awaiting_payment") change.tier = tier;
  }
  const { reconcile } = await changeDesired(db, tenant, change);
  const replay = subscriptionId ? await eventsAwaitingTenant(db, subscriptionId) : [];
  return {
    outcome: stale ? "applied: linked (older than the last subscription change)" : "applied: active",
    slug,
    reconcile,
    replay,
  };
}

/** A subscription event that arrived before its checkout (and so found no tenant) still tells the tier. */
/**
 * Subscription events that came before this checkout found no tenant and were set aside; they are
 * marked unprocessed again (in this transaction) and returned oldest first, to be applied once it commits.
 */
async function eventsAwaitingTenant(db: Database, subscriptionId: string): Promise<string[]> {
  const rows = await db
    .update(stripeEvents)
    .set({ processedAt: null, outcome: null })
    .where(
      and(
        eq(stripeEvents.objectId, subscriptionId),
        like(stripeEvents.type, "customer.subscription.%"),
        like(stripeEvents.outcome, "ignored: no tenant%"),
      ),
    )
    .returning({ id: stripeEvents.id, created: stripeEvents.created });
  return rows.sort((a, b) => a.created - b.created).map((row) => row.id);
}

async function lastSubscriptionPayload(
  db: Database,
  subscriptionId: string,
): Promise<Record<string, unknown> | null> {
  const [row] = await db
    .select({ payload: stripeEvents.payload })
    .from(stripeEvents)
    .where(and(eq(stripeEvents.objectId, subscriptionId), like(stripeEvents.type, "customer.subscription.%")))
    .orderBy(desc(stripeEvents.created))
    .limit(1);
  return (
    ((row?.payload as unknown as StripeEventEnvelope | undefined)?.data.object as Record<string, unknown>) ??
    null
  );
}

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

async function subscriptionChanged(
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

async function subscriptionDeleted(
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

async function invoiceSettled(
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
