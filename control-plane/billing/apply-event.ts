import { and, desc, eq, like, sql } from "drizzle-orm";
import { isTierName, slugProblem, type TierName, tierFromLookupKey } from "../../tenant-template/index.ts";
import type { Database } from "../db/client.ts";
import { stripeEvents, tenants } from "../db/schema.ts";
import { insertTenant } from "../registry/new-tenant.ts";
import { checkoutRefusal } from "../registry/reservations.ts";
import { changeDesired, type DesiredChange, findTenant } from "../registry/tenants.ts";
import {
  asString,
  invoiceSubscription,
  metadataOf,
  type StripeClient,
  type StripeEventEnvelope,
  subscriptionLookupKey,
} from "./stripe-client.ts";
import { invoiceSettled, subscriptionChanged, subscriptionDeleted } from "./subscription-events.ts";

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

/**
 * Applies one recorded Stripe event (DESIGN §3 mapping) in the transaction that marks it processed,
 * so an event's effect and its record commit together. Returns false when another worker has it.
 */
/** The subscription an event is about, if any. */
function subscriptionOf(event: StripeEventEnvelope): string | null {
  const object = event.data.object;
  if (event.type.startsWith("customer.subscription.")) return asString(object.id);
  if (event.type.startsWith("checkout.session.")) return asString(object.subscription);
  if (event.type.startsWith("invoice.")) return invoiceSubscription(object);
  return null;
}

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
    // Events about one subscription apply one at a time: a checkout and that subscription's earlier events processed
    // at once would each miss the other's uncommitted work, and the earlier ones would wait for a tenant for ever.
    const subscriptionId = subscriptionOf(event);
    if (subscriptionId)
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtext(${`stripe-subscription:${subscriptionId}`}))`,
      );
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
    const created = await insertTenant(db, { slug, email, tier, source: "checkout" });
    // Another event created it meanwhile: failing the transaction has this event processed again.
    if (!created) throw new Error(`tenant "${slug}" was created concurrently`);
    tenant = created;
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
