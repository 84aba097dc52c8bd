import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { admin, getTenant, type TenantJson, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const CRASH_LOOP_RUNTIME = resolve(import.meta.dirname, "../fixtures/crash-loop-runtime.ts");

/** A tenant runtime that dies right after it becomes healthy, every time. Slugs start with "fl-". */
describe("fault: a runtime in a crash loop", () => {
  let plane: RunningControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane({
      env: { WEBSPLAT_RUNTIME_ENTRY: CRASH_LOOP_RUNTIME, WEBSPLAT_IDLE_SECONDS: "0" },
    });
  });

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  /** Start times the runtime printed into its log, one per start. */
  async function starts(slug: string): Promise<number[]> {
    const log = await readFile(join(plane.dataDir, "runtimes", `${slug}.log`), "utf8").catch(() => "");
    return [...log.matchAll(/crash-loop runtime started at (\d+)/g)].map((match) => Number(match[1]));
  }

  it("is restarted with growing delays, and the tenant's runtime status says it is backing off", async () => {
    const slug = "fl-phoenix";
    const created = await admin(plane, "/admin/tenants", {
      method: "POST",
      body: { slug, email: "owner@fl-phoenix.test", tier: "starter" },
    });
    expect(created.status).toBe(201);
    await waitForTenant(plane, slug, (t) => t.status === "active", { what: "active" });

    // Watch the status while the supervisor restarts it: every backoff seen, with its crash count.
    const backoffs: TenantJson[] = [];
    await waitFor(
      async () => {
        const runtime = (await getTenant(plane, slug))?.outputs?.details?.runtime;
        if (runtime?.state === "backoff" && backoffs.at(-1)?.crashLoop !== runtime.crashLoop)
          backoffs.push({ ...runtime, seenAt: Date.now() });
        return (await starts(slug)).length >= 5 && backoffs.length >= 3;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: "five starts of the crashing runtime" },
    );

    const loops = backoffs.map((runtime) => runtime.crashLoop as number);
    expect(loops, JSON.stringify(backoffs)).toEqual([...loops].sort((a, b) => a - b));
    expect(new Set(loops).size).toBe(loops.length);
    expect(loops.at(-1)).toBeGreaterThanOrEqual(3);
    for (const runtime of backoffs) {
      expect(runtime).toMatchObject({ state: "backoff", pid: null, port: null });
      expect(runtime.lastExit).toMatchObject({ code: 3 });
      // The next restart is announced, after the moment the status was read (with a little clock slack).
      expect(Date.parse(runtime.nextRestartAt)).toBeGreaterThan(runtime.seenAt - 250);
    }

    // Restarts are spaced by growing delays: 0.5 s, 1 s, 2 s, … after each crash.
    const times = await starts(slug);
    const gaps = times.slice(1).map((time, i) => time - times[i]!);
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < 4; i++) expect(gaps[i], JSON.stringify(gaps)).toBeGreaterThanOrEqual(500 * 2 ** i);
    for (let i = 1; i < 4; i++) expect(gaps[i], JSON.stringify(gaps)).toBeGreaterThan(gaps[i - 1]!);
    const tenant = await getTenant(plane, slug);
    expect(tenant?.outputs.details.runtime.restarts).toBeGreaterThanOrEqual(4);
  }, 60_000);
});
