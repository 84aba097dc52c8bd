import { TIER_NAMES, TIERS, type TierName } from "../../tenant-template/index.ts";
import type { Sql } from "../db/client.ts";
import { builderUsage } from "./builder-runs.ts";

export interface Kpis {
  window: { since: string; until: string };
  signups: { started: number };
  checkouts: {
    completed: number /** completed / started; null with no signup */;
    conversionRate: number | null;
  };
  activeTenants: Record<TierName, number> & { total: number };
  /** Monthly recurring revenue from the tier prices: active, paying (not comped) tenants. */
  mrrCents: number;
  cancellations: number;
  /** Cancellations / tenants paying when the window opened; null when none were. */
  churnRate: number | null;
  /** Checkouts completed in the window by tenants that had cancelled before. */
  reactivations: number;
  builder: Record<TierName, { runs: number; tokens: number }>;
  /** Seconds from a tenant's first reconcile being queued to it succeeding; nearest-rank percentiles. */
  provisioningSeconds: { count: number; p50: number | null; p90: number | null; p99: number | null };
}

const APPLIED = "applied%";

/** Journey checks buy, use and cancel tenants of their own: none of it is business. */
const checkTenants = (sql: Sql) => sql`select slug from control_plane.tenants where "check"`;

/**
 * The launch's business figures over [since, until), from what the platform records anyway: the audit log
 * (signups), Stripe events as applied (checkouts, cancellations), tenants (tiers, comped or paying),
 * operations (provisioning time) and the runs each builder reported (runs, tokens).
 */
export async function computeKpis(sql: Sql, since: Date, until = new Date()): Promise<Kpis> {
  const sinceSeconds = Math.floor(since.getTime() / 1000);
  const untilSeconds = Math.floor(until.getTime() / 1000);
  // As ISO text: postgres.js sends parameters the server types as text, not Date objects.
  const from = since.toISOString();
  const to = until.toISOString();
  const [signups] = await sql<[{ n: number }]>`
    select count(*)::int as n from control_plane.audit_log
    where action = 'signup.started' and at >= ${from}::timestamptz and at < ${to}::timestamptz
      and slug not in (${checkTenants(sql)})`;
  const [events] = await sql<[{ checkouts: number; cancellations: number; reactivations: number }]>`
    select
      count(*) filter (where type = 'checkout.session.completed')::int as checkouts,
      count(*) filter (where type = 'customer.subscription.deleted')::int as cancellations,
      count(*) filter (where type = 'checkout.session.completed' and exists (
        select 1 from control_plane.stripe_events earlier
        where earlier.type = 'customer.subscription.deleted' and earlier.outcome like ${APPLIED}
          and earlier.tenant_slug = e.tenant_slug and earlier.created < e.created))::int as reactivations
    from control_plane.stripe_events e
    where type in ('checkout.session.completed', 'customer.subscription.deleted')
      and outcome like ${APPLIED} and created >= ${sinceSeconds} and created < ${untilSeconds}
      and tenant_slug not in (${checkTenants(sql)})`;
  // Paying when the window opened: the last checkout-or-cancellation before it was a checkout.
  const [paying] = await sql<[{ n: number }]>`
    select count(*)::int as n from (
      select distinct on (tenant_slug) type from control_plane.stripe_events
      where type in ('checkout.session.completed', 'customer.subscription.deleted')
        and outcome like ${APPLIED} and created < ${sinceSeconds} and tenant_slug is not null
        and tenant_slug not in (${checkTenants(sql)})
      order by tenant_slug, created desc
    ) last where type = 'checkout.session.completed'`;
  const tiers = await sql<Array<{ tier: TierName; active: number; paying: number }>>`
    select tier, count(*)::int as active, count(*) filter (where source <> 'admin')::int as paying
    from control_plane.tenants where status = 'active' and desired = 'active' and not "check" group by tier`;
  const [provisioning] = await sql<
    [{ count: number; p50: number | null; p90: number | null; p99: number | null }]
  >`
    with first_success as (
      select distinct on (slug) extract(epoch from finished_at - created_at)::float8 as seconds, finished_at
      from control_plane.operations where kind = 'reconcile' and status = 'succeeded' and finished_at is not null
        and slug not in (${checkTenants(sql)})
      order by slug, finished_at
    )
    select count(*)::int as count,
      percentile_disc(0.5) within group (order by seconds) as p50,
      percentile_disc(0.9) within group (order by seconds) as p90,
      percentile_disc(0.99) within group (order by seconds) as p99
    from first_success where finished_at >= ${from}::timestamptz and finished_at < ${to}::timestamptz`;

  const active = Object.fromEntries(TIER_NAMES.map((t) => [t, 0])) as Record<TierName, number>;
  let mrrCents = 0;
  for (const row of tiers) {
    active[row.tier] = row.active;
    mrrCents += row.paying * TIERS[row.tier].monthlyPriceCents;
  }
  const started = signups?.n ?? 0;
  const completed = events?.checkouts ?? 0;
  const cancellations = events?.cancellations ?? 0;
  const payingAtStart = paying?.n ?? 0;
  return {
    window: { since: since.toISOString(), until: until.toISOString() },
    signups: { started },
    checkouts: { completed, conversionRate: started > 0 ? completed / started : null },
    activeTenants: { ...active, total: Object.values(active).reduce((a, b) => a + b, 0) },
    mrrCents,
    cancellations,
    churnRate: payingAtStart > 0 ? cancellations / payingAtStart : null,
    reactivations: events?.reactivations ?? 0,
    builder: await builderUsage(sql, since, until),
    provisioningSeconds: {
      count: provisioning?.count ?? 0,
      p50: provisioning?.p50 ?? null,
      p90: provisioning?.p90 ?? null,
      p99: provisioning?.p99 ?? null,
    },
  };
}
