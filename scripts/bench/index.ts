import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type BuilderFigures, measureBuilder } from "./builder.ts";
import { ROOT, startControlPlane, startDatabase, Teardown } from "./environment.ts";
import { type FloorSample, measureFloor } from "./floor.ts";
import { type LoadResult, measureIngestion } from "./ingestion.ts";
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

/** Seconds without requests after which a tenant runtime is stopped, for this run. */
const IDLE_SECONDS = 10;

/** Sizes of each figure; `--quick` keeps the whole run under two minutes. */
const PLANS = {
  quick: {
    floor: 3,
    sequential: 10,
    concurrent: 5,
    ingestion: { connections: 20, durationSeconds: 4 },
    scaleTarget: 50,
    scaleBudgetMs: 20_000,
    listRequests: 100,
    largeCheckpoints: 100,
    checkpointBudgetMs: 10_000,
    probes: { tenants: 500, windowSeconds: 15, intervalSeconds: 1 },
  },
  full: {
    floor: 10,
    sequential: 50,
    concurrent: 20,
    ingestion: { connections: 20, durationSeconds: 15 },
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
  date: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string };
  floor: { samples: FloorSample[]; total: Summary; database: Summary; runtime: Summary };
  provisioning: Record<
    "sequential" | "concurrent",
    { summary: Summary; failures: string[]; phases: PhaseSummary }
  >;
  ingestion: { webhook: LoadResult; bare: LoadResult } | { error: string };
  scale:
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
  builder: BuilderFigures;
  probes: ProbeFigures | { error: string };
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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
  const mode = values.quick ? "quick" : "full";
  const plan = PLANS[mode];
  const teardown = new Teardown();
  const stop = () => {
    process.stderr.write("bench: interrupted, cleaning up...\n");
    void teardown.run().finally(() => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const startedAt = Date.now();
  try {
    say(`${mode} run; starting PostgreSQL and the control plane`);
    const database = await startDatabase(teardown);
    // A short idle period, so B3 shows scale to zero within the run (production default: 900 s).
    const plane = await startControlPlane(teardown, {
      databaseUrl: database.url,
      env: { WEBSPLAT_IDLE_SECONDS: String(IDLE_SECONDS) },
    });

    say("floor: role + schema, then a bare runtime from spawn to /healthz");
    const floorSamples = await measureFloor(database.url, plan.floor, "floor-");
    const floor = {
      samples: floorSamples,
      total: summarize(floorSamples.map((s) => s.totalMs)),
      database: summarize(floorSamples.map((s) => s.databaseMs)),
      runtime: summarize(floorSamples.map((s) => s.runtimeMs)),
    };

    say(`B1: ${plan.sequential} sequential purchases`);
    const slug = (kind: string, i: number) => `bench-${kind}-${i}`;
    const sequential = await purchases(
      plane,
      Array.from({ length: plan.sequential }, (_, i) => slug("s", i + 1)),
      "sequential",
      120_000,
    );
    say(`B1: ${plan.concurrent} concurrent purchases`);
    const concurrent = await purchases(
      plane,
      Array.from({ length: plan.concurrent }, (_, i) => slug("c", i + 1)),
      "concurrent",
      120_000,
    );

    say("B2: webhook ingestion vs a bare Hono route");
    const ingestion = await measureIngestion(plane, teardown, plan.ingestion).catch((error) => ({
      error: String(error),
    }));

    say("B4: builder run, stop and rollback");
    const builder: BuilderFigures = sequential[0]?.ok
      ? await measureBuilder(plane, sequential[0].slug, {
          largeCheckpoints: plan.largeCheckpoints,
          budgetMs: plan.checkpointBudgetMs,
        }).catch((error) => ({ measured: false as const, reason: `failed: ${String(error).split("\n")[0]}` }))
      : { measured: false, reason: "no tenant was provisioned" };

    say(`B3: provisioning up to ${plan.scaleTarget} tenants`);
    const already = sequential.filter((r) => r.ok).length + concurrent.filter((r) => r.ok).length;
    let scale: BenchResults["scale"];
    try {
      const grown = await provisionUpTo(plane, already, plan.scaleTarget, plan.scaleBudgetMs, (rank) =>
        slug("n", rank),
      );
      // Rank 1 is the platform's first tenant (the first sequential purchase).
      const ranked = [...sequential.map((r, i) => ({ ...r, rank: i + 1 })), ...grown.results].filter(
        (r) => r.ok,
      );
      const last = ranked.at(-1)!;
      const mem = await memory(plane);
      say(`B3: waiting for idle runtimes to stop (${IDLE_SECONDS} s without requests)`);
      const idleMemory = await memoryOnceIdle(plane, IDLE_SECONDS * 1000 + 20_000);
      const list: Array<{ rows: number; summary: Summary }> = [];
      for (const rows of [500, 10_000]) {
        say(`B3: admin tenant list at ${rows} rows`);
        const actual = await fillTenants(database.url, rows);
        await listLatency(plane, 10);
        list.push({ rows: actual, summary: await listLatency(plane, plan.listRequests) });
      }
      scale = {
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
      scale = { error: String(error) };
    }

    say(`B5: probing ${plan.probes.tenants} tenants (CPU with probes vs without)`);
    const probes = await measureProbes(database.server.url, teardown, plan.probes).catch((error) => ({
      error: String(error),
    }));

    const cpu = cpus();
    const results: BenchResults = {
      mode,
      date: new Date().toISOString(),
      machine: {
        cpu: cpu[0]?.model ?? "unknown",
        cores: cpu.length,
        memoryGiB: Math.round(totalmem() / 1024 ** 3),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
      },
      floor,
      provisioning: {
        sequential: provisioningFigure(sequential),
        concurrent: provisioningFigure(concurrent),
      },
      ingestion,
      scale,
      builder,
      probes,
    };
    const markdown = renderMarkdown(results);
    await mkdir(join(ROOT, "bench-results"), { recursive: true });
    await writeFile(join(ROOT, "bench-results/latest.json"), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(join(ROOT, "docs/benchmarks.md"), markdown);
    process.stdout.write(markdown);
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
