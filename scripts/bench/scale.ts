import { performance } from "node:perf_hooks";
import postgres from "postgres";
import type { ControlPlane } from "./environment.ts";
import { loopback } from "./http.ts";
import { availableMemory, childrenMatching, RUNTIME_COMMAND, rss } from "./processes.ts";
import { type Purchase, purchase } from "./provisioning.ts";
import { type Summary, summarize } from "./stats.ts";

/** Keep this much memory free for the rest of the machine while adding tenants. */
const MEMORY_RESERVE = 3 * 1024 ** 3;

/**
 * Buys tenants one after another until `target` tenants are active, the time budget is spent or memory
 * runs low; `already` tenants exist. Returns each purchase with its rank (1 = the platform's first tenant).
 */
export async function provisionUpTo(
  plane: ControlPlane,
  already: number,
  target: number,
  budgetMs: number,
  slugOf: (rank: number) => string,
): Promise<{ results: Array<Purchase & { rank: number }>; stoppedBecause: string }> {
  const deadline = Date.now() + budgetMs;
  const results: Array<Purchase & { rank: number }> = [];
  for (let rank = already + 1; rank <= target; rank++) {
    if (Date.now() > deadline) return { results, stoppedBecause: `time budget (${budgetMs / 1000} s)` };
    if ((await availableMemory()) < MEMORY_RESERVE)
      return { results, stoppedBecause: "memory reserve reached" };
    const result = await purchase(plane, slugOf(rank));
    results.push({ ...result, rank });
    if (!result.ok) return { results, stoppedBecause: `a purchase failed: ${result.error}` };
  }
  return { results, stoppedBecause: "target reached" };
}

export interface MemoryFigures {
  controlPlaneRss: number;
  runtimes: number;
  runtimesRss: number;
  perRuntimeRss: number;
  /** RSS of each runtime, bytes, and its pid. */
  runtimeSizes: number[];
  runtimePids: number[];
}

/** RSS of the control plane and of the runtime processes it supervises. */
export async function memory(plane: ControlPlane): Promise<MemoryFigures> {
  const pid = plane.process.pid!;
  const runtimePids = await childrenMatching(pid, RUNTIME_COMMAND);
  const read = await Promise.all(runtimePids.map(async (runtimePid) => [runtimePid, await rss(runtimePid)]));
  const measured = read.filter(([, size]) => Number.isFinite(size));
  const sizes = measured.map(([, size]) => size!);
  const runtimesRss = sizes.reduce((sum, size) => sum + size, 0);
  return {
    controlPlaneRss: await rss(pid),
    runtimes: sizes.length,
    runtimesRss,
    perRuntimeRss: sizes.length ? runtimesRss / sizes.length : Number.NaN,
    runtimeSizes: sizes,
    runtimePids: measured.map(([runtimePid]) => runtimePid!),
  };
}

/** Memory once no runtime process is left (idle tenants stopped), or at `timeoutMs`. */
export async function memoryOnceIdle(plane: ControlPlane, timeoutMs: number): Promise<MemoryFigures> {
  const deadline = Date.now() + timeoutMs;
  let figures = await memory(plane);
  while (figures.runtimes > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    figures = await memory(plane);
  }
  return figures;
}

/** Adds tenant rows directly (suspended, reconciled) until the table holds `total` rows. */
export async function fillTenants(databaseUrl: string, total: number): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select count(*)::int as n from control_plane.tenants`;
    const missing = total - (row?.n ?? 0);
    for (let offset = 0; offset < missing; offset += 1000) {
      const size = Math.min(1000, missing - offset);
      await sql`
        insert into control_plane.tenants
          (slug, email, tier, desired, generation, status, observed_generation, source, created_at)
        select 'filler-' || md5(random()::text || g::text), 'filler-' || g || '@example.com', 'starter',
               'suspended', 1, 'suspended', 1, 'admin', now() - (g || ' seconds')::interval
        from generate_series(1, ${size}) as g`;
    }
    const [after] = await sql`select count(*)::int as n from control_plane.tenants`;
    return after?.n ?? 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** `GET /admin/tenants` (first page, default size) `count` times one after another, as an operator would. */
export async function listLatency(plane: ControlPlane, count: number): Promise<Summary> {
  const samples: number[] = [];
  const headers = { authorization: `Bearer ${plane.adminToken}` };
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await loopback(plane.port, "/admin/tenants", { headers });
    if (response.status !== 200) throw new Error(`GET /admin/tenants answered ${response.status}`);
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}
