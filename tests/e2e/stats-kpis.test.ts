import { readFile } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantApiToken } from "../../control-plane/tenant-access.ts";
import { TIERS, type TierName } from "../../tenant-template/index.ts";
import { json, websplat } from "../support/cli.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { seededRandom } from "../support/random.ts";
import { admin } from "../support/stripe-events.ts";

const DAY = 86_400_000;
/** Runs finished this recently are reported through the API; a report of an older run is refused as backdated. */
const RECENT = 23 * 3_600_000;
const TIER_LIST: TierName[] = ["starter", "pro", "studio"];

interface Seeded {
  signups: Array<{ slug: string; at: number }>;
  events: Array<{ slug: string; type: "checkout" | "deleted"; at: number; applied: boolean }>;
  tenants: Array<{ slug: string; tier: TierName; active: boolean; comped: boolean }>;
  reconciles: Array<{ slug: string; created: number; finished: number }>;
  runs: Array<{ slug: string; at: number; tokens: number }>;
}

/**
 * 60 days of a launch, generated from a seed: signups, checkouts (some ignored), cancellations, reactivations,
 * a comped tenant, reconciles and builder runs. Nothing falls within an hour of the 30-day boundary, so the
 * test's clock and the control plane's agree on which side everything is.
 */
function history(now: number): Seeded {
  const random = seededRandom(1616);
  const seeded: Seeded = { signups: [], events: [], tenants: [], reconciles: [], runs: [] };
  const moment = (from: number, to: number) => {
    for (;;) {
      const at = Math.floor(from + random() * (to - from));
      if (Math.abs(at - (now - 30 * DAY)) > 3_600_000 && at < now - 60_000) return at;
    }
  };
  for (let i = 0; i < 90; i++) {
    const slug = `ks-${i.toString().padStart(3, "0")}`;
    const tier = TIER_LIST[Math.floor(random() * 3)]!;
    const signedUp = moment(now - 60 * DAY, now - 60_000);
    seeded.signups.push({ slug, at: signedUp });
    let active = false;
    if (random() < 0.65) {
      const paid = moment(signedUp, Math.min(now - 60_000, signedUp + 2 * 3_600_000));
      seeded.events.push({ slug, type: "checkout", at: paid, applied: true });
      const provisioned = paid + 2000 + Math.floor(random() * 40_000);
      seeded.reconciles.push({ slug, created: paid, finished: provisioned });
      active = true;
      for (let r = 0; r < 3; r++)
        seeded.runs.push({ slug, at: moment(paid, now), tokens: Math.floor(random() * 9000) });
      if (random() < 0.3) {
        const cancelled = moment(paid, now);
        seeded.events.push({ slug, type: "deleted", at: cancelled, applied: true });
        active = false;
        if (random() < 0.4) {
          const back = moment(cancelled, now);
          seeded.events.push({ slug, type: "checkout", at: back, applied: true });
          seeded.reconciles.push({ slug, created: back, finished: back + 5000 });
          active = true;
        }
      }
    } else if (random() < 0.2) {
      // A checkout Stripe sent for an unpaid session: recorded, not applied.
      seeded.events.push({ slug, type: "checkout", at: moment(signedUp, now), applied: false });
    }
    seeded.tenants.push({ slug, tier, active, comped: false });
  }
  seeded.tenants.push({ slug: "ks-comped", tier: "studio", active: true, comped: true });
  seeded.reconciles.push({ slug: "ks-comped", created: now - 10 * DAY, finished: now - 10 * DAY + 7000 });
  return seeded;
}

/** The figures computed here from the seed alone, the way DESIGN §14 and the README define them. */
function expected(seeded: Seeded, now: number) {
  const since = now - 30 * DAY;
  const inWindow = (at: number) => at >= since && at < now;
  const applied = seeded.events.filter((e) => e.applied);
  const tierOf = new Map(seeded.tenants.map((t) => [t.slug, t.tier]));
  const started = seeded.signups.filter((s) => inWindow(s.at)).length;
  const completed = applied.filter((e) => e.type === "checkout" && inWindow(e.at)).length;
  const cancellations = applied.filter((e) => e.type === "deleted" && inWindow(e.at)).length;
  const payingAtStart = [...new Set(applied.map((e) => e.slug))].filter((slug) => {
    const before = applied.filter((e) => e.slug === slug && e.at < since).sort((a, b) => a.at - b.at);
    return before.at(-1)?.type === "checkout";
  }).length;
  const reactivations = applied.filter(
    (e) =>
      e.type === "checkout" &&
      inWindow(e.at) &&
      applied.some((d) => d.slug === e.slug && d.type === "deleted" && d.at < e.at),
  ).length;
  const activeTenants = { starter: 0, pro: 0, studio: 0, total: 0 };
  let mrrCents = 0;
  for (const t of seeded.tenants.filter((x) => x.active)) {
    activeTenants[t.tier]++;
    activeTenants.total++;
    if (!t.comped) mrrCents += TIERS[t.tier].monthlyPriceCents;
  }
  const builder = {
    starter: { runs: 0, tokens: 0 },
    pro: { runs: 0, tokens: 0 },
    studio: { runs: 0, tokens: 0 },
  };
  for (const run of seeded.runs.filter((r) => inWindow(r.at))) {
    builder[tierOf.get(run.slug)!].runs++;
    builder[tierOf.get(run.slug)!].tokens += run.tokens;
  }
  const firsts = new Map<string, { created: number; finished: number }>();
  for (const r of [...seeded.reconciles].sort((a, b) => a.finished - b.finished))
    if (!firsts.has(r.slug)) firsts.set(r.slug, r);
  const durations = [...firsts.values()]
    .filter((r) => inWindow(r.finished))
    .map((r) => (r.finished - r.created) / 1000)
    .sort((a, b) => a - b);
  const rank = (p: number) => durations[Math.ceil(p * durations.length) - 1] ?? null;
  return {
    signups: { started },
    checkouts: { completed, conversionRate: started ? completed / started : null },
    activeTenants,
    mrrCents,
    cancellations,
    churnRate: payingAtStart ? cancellations / payingAtStart : null,
    reactivations,
    builder,
    provisioningSeconds: { count: durations.length, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99) },
  };
}

async function seed(databaseUrl: string, seeded: Seeded) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    for (const s of seeded.signups)
      await sql`insert into control_plane.audit_log (at, actor, action, slug, details)
        values (${new Date(s.at)}, 'customer', 'signup.started', ${s.slug}, '{}')`;
    let n = 0;
    for (const e of seeded.events)
      await sql`insert into control_plane.stripe_events (id, type, created, payload, received_at, processed_at, outcome, tenant_slug)
        values (${`evt_ks_${n++}`}, ${e.type === "checkout" ? "checkout.session.completed" : "customer.subscription.deleted"},
          ${Math.floor(e.at / 1000)}, '{}', ${new Date(e.at)}, ${new Date(e.at)},
          ${e.applied ? "applied: active" : "ignored: session open/unpaid"}, ${e.slug})`;
    for (const t of seeded.tenants)
      await sql`insert into control_plane.tenants (slug, email, tier, desired, status, source, observed_generation)
        values (${t.slug}, ${`${t.slug}@kpi.test`}, ${t.tier}, ${t.active ? "active" : "suspended"},
          ${t.active ? "active" : "suspended"}, ${t.comped ? "admin" : "signup"}, 1)`;
    for (const r of seeded.reconciles)
      await sql`insert into control_plane.operations (slug, kind, status, reason, created_at, started_at, finished_at)
        values (${r.slug}, 'reconcile', 'succeeded', 'seeded', ${new Date(r.created)}, ${new Date(r.created)}, ${new Date(r.finished)})`;
  } finally {
    await sql.end();
  }
}

/** Each builder reports its finished runs to the platform, with its own tenant API token. */
async function report(plane: RunningControlPlane, slug: string, run: object, as = slug) {
  const key = `${(await readFile(join(plane.dataDir, "owner-key.pem"), "utf8")).trim()}\n`;
  return fetch(`${plane.url}/api/tenant/runs`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${tenantApiToken(key, as)}`,
      "x-websplat-tenant": slug,
    },
    body: JSON.stringify(run),
  });
}

const STATUSES = ["completed", "stopped", "failed"] as const;
const reportOf = (run: Seeded["runs"][number], n: number) => {
  const prompt = Math.floor(run.tokens / 3);
  return {
    runId: `run-${n}`,
    status: STATUSES[n % 3],
    promptTokens: prompt,
    completionTokens: run.tokens - prompt,
    finishedAt: new Date(run.at).toISOString(),
  };
};

describe("websplat stats", () => {
  let plane: RunningControlPlane;
  const now = Date.now();
  const seeded = history(now);

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_PROBE_INTERVAL_SECONDS: "0" } });
    await seed(plane.databaseUrl, seeded);
    // Builders report runs as they finish: the older ones as if reported then, the last day's through the API.
    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      for (const [n, run] of seeded.runs.entries()) {
        if (run.at > now - RECENT) continue;
        const r = reportOf(run, n);
        await sql`insert into control_plane.builder_runs (slug, run_id, status, prompt_tokens, completion_tokens, finished_at, received_at)
          values (${run.slug}, ${r.runId}, ${r.status!}, ${r.promptTokens}, ${r.completionTokens}, ${new Date(run.at)}, ${new Date(run.at)})`;
      }
    } finally {
      await sql.end();
    }
    for (const [n, run] of seeded.runs.entries()) {
      if (run.at <= now - RECENT) continue;
      const response = await report(plane, run.slug, reportOf(run, n));
      expect(response.status).toBe(201);
    }
  }, 60_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  it("a run reported twice counts once; a tenant cannot report for another; a bad report is a 400", async () => {
    const index = seeded.runs.findIndex((run) => run.at > now - RECENT);
    expect(index).toBeGreaterThanOrEqual(0);
    const first = seeded.runs[index];
    const again = await report(plane, first!.slug, reportOf(first!, index));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ recorded: false });
    const other = seeded.runs.find((r) => r.slug !== first!.slug)!;
    // Another tenant's name with this tenant's token: refused, so it cannot add to another's figures.
    const forged = await report(plane, other.slug, reportOf(other, 999_999), first!.slug);
    expect(forged.status).toBe(401);
    const bad = await report(plane, first!.slug, { ...reportOf(first!, 999_998), promptTokens: -1 });
    expect(bad.status).toBe(400);
    const unfinished = await report(plane, first!.slug, { ...reportOf(first!, 999_997), status: "running" });
    expect(unfinished.status).toBe(400);
  });

  it("over a seeded 60-day history, --json returns exactly the figures computed from the seed", async () => {
    const result = await websplat(["stats", "--since", "30d", "--json"], {
      url: plane.url,
      adminToken: plane.adminToken,
    });
    expect(result.code, result.stderr).toBe(0);
    const stats = json(result);
    const want = expected(seeded, now);
    expect(want.signups.started).toBeGreaterThan(20);
    expect(want.cancellations).toBeGreaterThan(0);
    expect(want.reactivations).toBeGreaterThan(0);
    expect(want.builder.starter.runs + want.builder.pro.runs + want.builder.studio.runs).toBeGreaterThan(0);
    expect(stats).toMatchObject({ since: "30d", ...want });
  });

  it("prints the same figures as text, and the same as Prometheus gauges", async () => {
    const want = expected(seeded, now);
    const result = await websplat(["stats"], { url: plane.url, adminToken: plane.adminToken });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Signups started\\s+${want.signups.started}\\b`));
    expect(result.stdout).toContain(`$${(want.mrrCents / 100).toFixed(2)}`);
    const metrics = await (await fetch(`${plane.url}/metrics`)).text();
    expect(metrics).toContain(`websplat_kpi_signups_started ${want.signups.started}\n`);
    expect(metrics).toContain(`websplat_kpi_mrr_dollars ${want.mrrCents / 100}\n`);
    expect(metrics).toContain(`websplat_kpi_active_tenants{tier="studio"} ${want.activeTenants.studio}\n`);
  });

  it("a window that is not one is a usage error (exit 2) from the CLI and a 400 from the API", async () => {
    const cli = await websplat(["stats", "--since", "a month"], {
      url: plane.url,
      adminToken: plane.adminToken,
    });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/--since must look like 30d/);
    const response = await admin(plane, "/admin/stats?since=forever");
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("bad_window");
  });
});
