import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type BuilderFigures, measureBuilder } from "./builder.ts";
import { ROOT, startControlPlane, startDatabase, Teardown } from "./environment.ts";
import { type FloorSample, measureBareProcess, measureFloor } from "./floor.ts";
import { goalLines, goals } from "./goals.ts";
import { type LoadResult, measureIngestion, measureWebhookLatency } from "./ingestion.ts";
import { measureProbes, type ProbeFigures } from "./probes.ts";
import { type Purchase, purchases } from "./provisioning.ts";
import { renderMarkdown } from "./report.ts";
import {
  fillTenants,
  listLatency,
  type MemoryFigures,
  memory,
  memoryOnceIdle,
  provisionUpTo,
} from "./scale.ts";
import { type Summary, summarize } from "./stats.ts";
import { measureWake, type WakeFigures } from "./wake.ts";

/** Seconds without requests after which a tenant runtime is stopped, for this run. */
const IDLE_SECONDS = 10;

/** Phases `--only` can pick (comma-separated); each figure needs the phases it is measured in. */
const PHASES = ["floor", "provisioning", "ingestion", "builder", "scale", "probes"] as const;
type Phase = (typeof PHASES)[number];

/** Purchases one after another before the first snapshot: the small platform of "10 vs 500". */
const SMALL_PLATFORM = 10;

/** Sizes of each figure; `--quick` keeps the whole run to a few minutes. */
const PLANS = {
  quick: {
    floor: 3,
    bare: 10,
    sequential: 10,
    concurrent: 5,
    ingestion: { connections: 32, durationSeconds: 4 },
    light: { connections: 8, durationSeconds: 3 },
    wakes: 10,
    scaleTarget: 50,
    scaleBudgetMs: 20_000,
    listRequests: 100,
    largeCheckpoints: 100,
    checkpointBudgetMs: 10_000,
    probes: { tenants: 500, windowSeconds: 15, intervalSeconds: 1 },
  },
  full: {
    floor: 10,
    bare: 20,
    sequential: 50,
    concurrent: 20,
    ingestion: { connections: 32, durationSeconds: 15 },
    light: { connections: 8, durationSeconds: 10 },
    wakes: 20,
    scaleTarget: 500,
    scaleBudgetMs: 900_000,
    listRequests: 300,
    largeCheckpoints: 1000,
    checkpointBudgetMs: 60_000,
    probes: { tenants: 500, windowSeconds: 60, intervalSeconds: 2 },
  },
};

export interface BenchResults {
  mode: "quick" | "full";
  /** Phases run (all of them unless `--only` picked some). */
  phases: Phase[];
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string; load: number[] };
  floor?: {
    /** A bare Node HTTP process, spawn → first 200: the physical floor the goals are ratios of. */
    bare: Summary;
    samples: FloorSample[];
    total: Summary;
    database: Summary;
    runtime: Summary;
  };
  provisioning?: Record<
    "sequential" | "concurrent",
    { summary: Summary; failures: string[]; phases: PhaseSummary }
  >;
  ingestion?: { connections: number; webhook: LoadResult; bare: LoadResult } | { error: string };
  /** The same figures on a small platform and on the grown one, smallest first. */
  snapshots?: Snapshot[];
  scale?:
    | {
        firstMs: number;
        lastMs: number;
        lastRank: number;
        firstFive: Summary;
        lastFive: Summary;
        stoppedBecause: string;
        memory: MemoryFigures;
        /** The same, once the idle period has passed: idle tenants should cost no process. */
        idleMemory: MemoryFigures;
        tenants: number;
        list: Array<{ rows: number; summary: Summary }>;
      }
    | { error: string };
  builder?: BuilderFigures;
  probes?: ProbeFigures | { error: string };
}

/** Figures taken at one size of the platform. */
export interface Snapshot {
  tenants: number;
  /** Payment → URL of the purchases that brought the platform to this size (the last ten). */
  purchase: Summary;
  wake: WakeFigures;
  webhook: LoadResult;
}

export type PhaseSummary = Record<"ack" | "queueWait" | "database" | "runtimeStart" | "route", number>;

function phases(results: Purchase[]): PhaseSummary {
  const p50 = (values: number[]) => summarize(values.filter(Number.isFinite)).p50;
  const withBreakdown = results.filter((result) => result.breakdown);
  return {
    ack: p50(results.map((r) => r.ackMs)),
    queueWait: p50(withBreakdown.map((r) => r.breakdown!.queueWaitMs)),
    database: p50(withBreakdown.map((r) => r.breakdown!.databaseMs)),
    runtimeStart: p50(withBreakdown.map((r) => r.breakdown!.runtimeStartMs)),
    route: p50(withBreakdown.map((r) => r.breakdown!.routeMs)),
  };
}

function provisioningFigure(results: Purchase[]) {
  return {
    summary: summarize(results.filter((r) => r.ok).map((r) => r.totalMs)),
    failures: results.filter((r) => !r.ok).map((r) => `${r.slug}: ${r.error}`),
    phases: phases(results.filter((r) => r.ok)),
  };
}

function selectedPhases(only: string | undefined): Phase[] {
  if (!only) return [...PHASES];
  const picked = only.split(",").map((name) => name.trim());
  const unknown = picked.filter((name) => !PHASES.includes(name as Phase));
  if (unknown.length)
    throw new Error(`unknown phase ${unknown.join(", ")}: pick from ${PHASES.join(", ")} (comma-separated)`);
  return picked as Phase[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      // Renders docs/benchmarks.md again from the last run's figures (after changing the report), measuring nothing.
      render: { type: "boolean", default: false },
    },
  });
  if (values.render) {
    const last = JSON.parse(await readFile(join(ROOT, "bench-results/latest.json"), "utf8")) as BenchResults;
    if (last.phases.length === PHASES.length)
      await writeFile(join(ROOT, "docs/benchmarks.md"), renderMarkdown(last));
    process.stdout.write(`${goalLines(goals(last)).join("\n")}\n`);
    return;
  }
  const mode = values.quick ? "quick" : "full";
  const plan = PLANS[mode];
  const run = new Set(selectedPhases(values.only));
  const teardown = new Teardown();
  const stop = () => {
    process.stderr.write("bench: interrupted, cleaning up...\n");
    void teardown.run().finally(() => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const startedAt = Date.now();
  const results: BenchResults = {
    mode,
    phases: [...run],
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      load: loadavg(),
    },
    snapshots: [],
  };
  const snapshots = results.snapshots!;
  try {
    say(`${mode} run of ${[...run].join(", ")}; starting PostgreSQL and the control plane`);
    const database = await startDatabase(teardown);
    // A short idle period, so scale to zero happens within the run (production default: 900 s).
    const plane = await startControlPlane(teardown, {
      databaseUrl: database.url,
      env: { WEBSPLAT_IDLE_SECONDS: String(IDLE_SECONDS) },
    });
    const idleWaitMs = IDLE_SECONDS * 1000 + 30_000;
    const slug = (kind: string, i: number) => `bench-${kind}-${i}`;
    const snapshot = async (tenants: number, slugs: string[], purchase: Summary): Promise<Snapshot> => {
      say(`at ${tenants} tenants: ${slugs.length} owners wake their scaled-to-zero tenants`);
      const wake = await measureWake(plane, slugs, tenants, idleWaitMs);
      say(`at ${tenants} tenants: webhook latency at ${plan.light.connections} connections`);
      const webhook = await measureWebhookLatency(plane, plan.light);
      return { tenants, purchase, wake, webhook };
    };

    if (run.has("floor")) {
      say("floor: a bare Node process, then role + schema and a bare runtime, from spawn to the first 200");
      const bare = summarize(await measureBareProcess(plan.bare));
      const floorSamples = await measureFloor(database.url, plan.floor, "floor-");
      results.floor = {
        bare,
        samples: floorSamples,
        total: summarize(floorSamples.map((s) => s.totalMs)),
        database: summarize(floorSamples.map((s) => s.databaseMs)),
        runtime: summarize(floorSamples.map((s) => s.runtimeMs)),
      };
    }

    let sequential: Purchase[] = [];
    let provisioned = 0;
    if (run.has("provisioning")) {
      say(`B1: ${plan.sequential} sequential purchases`);
      const slugs = Array.from({ length: plan.sequential }, (_, i) => slug("s", i + 1));
      sequential = await purchases(plane, slugs.slice(0, SMALL_PLATFORM), "sequential", 120_000);
      const small = sequential.filter((r) => r.ok);
      snapshots.push(
        await snapshot(
          small.length,
          small.slice(0, plan.wakes).map((r) => r.slug),
          summarize(small.map((r) => r.totalMs)),
        ),
      );
      sequential.push(...(await purchases(plane, slugs.slice(SMALL_PLATFORM), "sequential", 120_000)));
      say(`B1: ${plan.concurrent} concurrent purchases`);
      const concurrent = await purchases(
        plane,
        Array.from({ length: plan.concurrent }, (_, i) => slug("c", i + 1)),
        "concurrent",
        120_000,
      );
      results.provisioning = {
        sequential: provisioningFigure(sequential),
        concurrent: provisioningFigure(concurrent),
      };
      provisioned = sequential.filter((r) => r.ok).length + concurrent.filter((r) => r.ok).length;
    }

    if (run.has("builder")) {
      say("B4: builder run, stop and rollback");
      results.builder = sequential[0]?.ok
        ? await measureBuilder(plane, sequential[0].slug, {
            largeCheckpoints: plan.largeCheckpoints,
            budgetMs: plan.checkpointBudgetMs,
          }).catch((error) => ({
            measured: false as const,
            reason: `failed: ${String(error).split("\n")[0]}`,
          }))
        : { measured: false, reason: "no tenant was provisioned (run it with the provisioning phase)" };
    }

    if (run.has("scale")) {
      say(`B3: provisioning up to ${plan.scaleTarget} tenants`);
      try {
        const grown = await provisionUpTo(plane, provisioned, plan.scaleTarget, plan.scaleBudgetMs, (rank) =>
          slug("n", rank),
        );
        // Rank 1 is the platform's first tenant (the first sequential purchase).
        const ranked = [...sequential.map((r, i) => ({ ...r, rank: i + 1 })), ...grown.results].filter(
          (r) => r.ok,
        );
        const last = ranked.at(-1)!;
        const mem = await memory(plane);
        say(`B3: waiting for idle runtimes to stop (${IDLE_SECONDS} s without requests)`);
        const idleMemory = await memoryOnceIdle(plane, idleWaitMs);
        const newest = grown.results.filter((r) => r.ok);
        snapshots.push(
          await snapshot(
            last.rank,
            newest.slice(-plan.wakes).map((r) => r.slug),
            summarize(newest.slice(-SMALL_PLATFORM).map((r) => r.totalMs)),
          ),
        );
        const list: Array<{ rows: number; summary: Summary }> = [];
        for (const rows of [500, 10_000]) {
          say(`B3: admin tenant list at ${rows} rows`);
          const actual = await fillTenants(database.url, rows);
          await listLatency(plane, 10);
          list.push({ rows: actual, summary: await listLatency(plane, plan.listRequests) });
        }
        results.scale = {
          firstMs: ranked[0]!.totalMs,
          lastMs: last.totalMs,
          lastRank: last.rank,
          firstFive: summarize(ranked.slice(0, 5).map((r) => r.totalMs)),
          lastFive: summarize(ranked.slice(-5).map((r) => r.totalMs)),
          stoppedBecause: grown.stoppedBecause,
          memory: mem,
          idleMemory,
          tenants: ranked.length,
          list,
        };
      } catch (error) {
        results.scale = { error: String(error) };
      }
    }

    // After the memory snapshots: a saturating flood grows the control plane's heap and malloc arenas, and RSS
    // stays at that high-water mark, which would be read as growth with tenants.
    if (run.has("ingestion")) {
      say("B2: webhook ingestion vs a bare Hono route");
      results.ingestion = await measureIngestion(plane, teardown, plan.ingestion).then(
        (measured) => ({ connections: plan.ingestion.connections, ...measured }),
        (error) => ({ error: String(error) }),
      );
    }

    if (run.has("probes")) {
      say(`B5: probing ${plan.probes.tenants} tenants (CPU with probes vs without)`);
      results.probes = await measureProbes(database.server.url, teardown, plan.probes).catch((error) => ({
        error: String(error),
      }));
    }

    await mkdir(join(ROOT, "bench-results"), { recursive: true });
    // A partial run (`--only`) is for iterating: only a run of every phase rewrites the published figures.
    const complete = run.size === PHASES.length;
    await writeFile(
      join(ROOT, complete ? "bench-results/latest.json" : "bench-results/partial.json"),
      `${JSON.stringify(results, null, 2)}\n`,
    );
    if (complete) await writeFile(join(ROOT, "docs/benchmarks.md"), renderMarkdown(results));
    process.stdout.write(`${goalLines(goals(results)).join("\n")}\n`);
    say(`done in ${Math.round((Date.now() - startedAt) / 1000)} s; stopping everything`);
  } finally {
    await teardown.run();
  }
}

main().catch((error) => {
  process.stderr.write(
    `bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
