import type { BenchResults } from "./index.ts";
import { mib, ms } from "./stats.ts";

/** One performance goal as this run measured it; `pass` is null when its phase was not run. */
export interface Goal {
  name: string;
  target: string;
  figure: string;
  pass: boolean | null;
}

/** Above this ratio between the largest and the smallest platform measured, a figure counts as growing. */
const GROWTH_TOLERANCE = 1.25;

const times = (value: number, floor: number) => `${(value / floor).toFixed(2)}×`;
const unmeasured = (name: string, target: string, why: string): Goal => ({
  name,
  target,
  figure: `not measured (${why})`,
  pass: null,
});

/** The goals of the performance work, each from this run's own figures (ratios against this run's floor). */
export function goals(r: BenchResults): Goal[] {
  const out: Goal[] = [];
  const bare = r.floor?.bare.p50;
  const sequential = r.provisioning?.sequential.summary;
  const seqName = "payment → URL 200, one after another";
  if (bare && sequential?.n) {
    out.push(
      {
        name: `${seqName}: p50`,
        target: "≤ 3× the bare process",
        figure: `${ms(sequential.p50)} = ${times(sequential.p50, bare)} the bare process (${ms(bare)})`,
        pass: sequential.p50 <= 3 * bare,
      },
      {
        name: `${seqName}: p95`,
        target: "≤ 5× the bare process",
        figure: `${ms(sequential.p95)} = ${times(sequential.p95, bare)} the bare process`,
        pass: sequential.p95 <= 5 * bare,
      },
    );
  } else {
    out.push(
      unmeasured(`${seqName}: p50 / p95`, "≤ 3× / ≤ 5× the bare process", "needs floor and provisioning"),
    );
  }
  const concurrent = r.provisioning?.concurrent;
  if (concurrent) {
    const lost = concurrent.failures.length;
    out.push({
      name: `${concurrent.summary.n + lost} purchases at once: p95, none lost`,
      target: "≤ 2.5 s, 0 lost",
      figure: `${ms(concurrent.summary.p95)}, ${lost} lost`,
      pass: concurrent.summary.p95 <= 2500 && lost === 0,
    });
  } else out.push(unmeasured("purchases at once: p95, none lost", "≤ 2.5 s, 0 lost", "needs provisioning"));

  const wakes = r.snapshots ?? [];
  const largest = wakes.at(-1);
  if (largest) {
    const worst = Math.max(...wakes.map((w) => w.wake.summary.p95));
    const failures = wakes.reduce((sum, w) => sum + w.wake.failures.length, 0);
    out.push({
      name: "first owner request to a scaled-to-zero tenant: p95",
      target: "≤ 400 ms",
      figure: `${wakes.map((w) => `${ms(w.wake.summary.p95)} at ${w.tenants} tenants`).join(", ")}${failures ? `, ${failures} failed` : ""}`,
      pass: worst <= 400 && failures === 0,
    });
    const runtime = largest.wake.memory;
    out.push({
      name: "active runtime RSS (mean of the woken runtimes)",
      target: "≤ 70 MiB",
      figure: `${mib(runtime.perRuntimeRss)} (largest ${mib(largest.wake.maxRuntimeRss)}, ${runtime.runtimes} runtimes)`,
      pass: runtime.perRuntimeRss <= 70 * 1024 ** 2,
    });
    out.push({
      name: `control plane RSS with ${largest.tenants} tenants (${largest.tenants - runtime.runtimes} idle)`,
      target: "≤ 200 MiB with 500 tenants, 480 idle",
      figure: `${mib(runtime.controlPlaneRss)}${largest.tenants < 500 ? ` (not the goal's 500 tenants: this run grew to ${largest.tenants})` : ""}`,
      pass: largest.tenants < 500 ? null : runtime.controlPlaneRss <= 200 * 1024 ** 2,
    });
  } else {
    out.push(
      unmeasured("first owner request to a scaled-to-zero tenant: p95", "≤ 400 ms", "needs provisioning"),
    );
    out.push(unmeasured("active runtime RSS", "≤ 70 MiB", "needs provisioning"));
    out.push(unmeasured("control plane RSS with 500 tenants", "≤ 200 MiB", "needs scale"));
  }

  if (r.ingestion && !("error" in r.ingestion)) {
    const { webhook } = r.ingestion;
    out.push({
      name: `webhook ingestion at saturation (${r.ingestion.connections} connections)`,
      target: "≥ 2,000 distinct signed events/s",
      figure: `${webhook.eventsPerSecond.toFixed(0)} events/s`,
      pass: webhook.eventsPerSecond >= 2000 && webhook.non2xx + webhook.errors + webhook.timeouts === 0,
    });
  } else out.push(unmeasured("webhook ingestion at saturation", "≥ 2,000 events/s", "needs ingestion"));
  if (largest) {
    const worst = Math.max(...wakes.map((w) => w.webhook.p99Ms));
    out.push({
      name: "webhook p99 at 8 connections",
      target: "≤ 25 ms",
      figure: wakes.map((w) => `${w.webhook.p99Ms} ms at ${w.tenants} tenants`).join(", "),
      pass: worst <= 25,
    });
  } else out.push(unmeasured("webhook p99 at 8 connections", "≤ 25 ms", "needs provisioning"));

  const smallest = wakes[0];
  if (smallest && largest && largest !== smallest) {
    const growth = growthRows(r);
    const grows = growth.filter((g) => g.large / g.small > GROWTH_TOLERANCE);
    out.push({
      name: `nothing grows with tenants (${smallest.tenants} vs ${largest.tenants})`,
      target: `each figure ≤ ${GROWTH_TOLERANCE}× at the larger count`,
      figure: growth.map((g) => `${g.name} ${(g.large / g.small).toFixed(2)}×`).join(", "),
      pass: grows.length === 0,
    });
  } else out.push(unmeasured("nothing grows with tenants", "10 vs 500", "needs provisioning and scale"));
  return out;
}

export interface GrowthRow {
  name: string;
  small: number;
  large: number;
  unit: (value: number) => string;
}

/** The same figures at the smallest and the largest platform this run measured. */
export function growthRows(r: BenchResults): GrowthRow[] {
  const wakes = r.snapshots ?? [];
  const small = wakes[0];
  const large = wakes.at(-1);
  if (!small || !large || small === large) return [];
  const rows: GrowthRow[] = [
    { name: "payment → URL p50", small: small.purchase.p50, large: large.purchase.p50, unit: ms },
    { name: "owner wake p95", small: small.wake.summary.p95, large: large.wake.summary.p95, unit: ms },
    { name: "webhook p99 (8 connections)", small: small.webhook.p99Ms, large: large.webhook.p99Ms, unit: ms },
    {
      name: "control plane RSS",
      small: small.wake.memory.controlPlaneRss,
      large: large.wake.memory.controlPlaneRss,
      unit: mib,
    },
  ];
  return rows;
}

/** One line per goal, for the terminal. */
export function goalLines(list: Goal[]): string[] {
  return list.map(
    (g) =>
      `${g.pass === null ? "----" : g.pass ? "PASS" : "MISS"}  ${g.name}: ${g.figure} (goal ${g.target})`,
  );
}
