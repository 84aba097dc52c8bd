import { readdirSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { seededRandom } from "../support/random.ts";
import {
  checkoutSession,
  deliver,
  getTenant,
  settledActive,
  stripeEvent,
  waitForTenant,
} from "../support/stripe-events.ts";

const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");
const PREFIX = "fk-";
const TENANTS = 20;
const KILLS = 4;
const SEED = 424_242;

/** Live processes started as a runtime of one of this file's tenants, by slug (Linux: read from /proc). */
function runtimeProcesses(): Map<string, number[]> {
  const bySlug = new Map<string, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      const slug = environ.find((line) => line.startsWith(`WEBSPLAT_TENANT=${PREFIX}`))?.slice(16);
      if (!slug) continue;
      const status = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (/^\d+ \(.*\) Z/.test(status)) continue; // A zombie is already dead.
      bySlug.set(slug, [...(bySlug.get(slug) ?? []), Number(entry)]);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return bySlug;
}

/** SIGKILLs of the control plane at seeded moments while 20 tenants are provisioned. Slugs start with "fk-". */
describe("fault: the control plane killed again and again during provisioning", () => {
  const planes: RunningControlPlane[] = [];

  afterAll(async () => {
    await planes.at(-1)?.stop();
    await planes[0]?.cleanup();
    // Whatever a failed run left behind must not outlive it.
    for (const pids of runtimeProcesses().values())
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
  });

  it("after the last restart all 20 tenants are active and serve, and nothing is orphaned", async () => {
    const next = seededRandom(SEED);
    const slugs = Array.from({ length: TENANTS }, (_, n) => `${PREFIX}${String(n).padStart(2, "0")}`);
    const first = await startControlPlane({
      env: { WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME, WEBSPLAT_IDLE_SECONDS: "0" },
    });
    planes.push(first);
    const restart = async () => {
      // Restarted as an operator does, on the same port: runtimes configured for it are kept, not restarted.
      const plane = await startControlPlane({
        dataDir: first.dataDir,
        databaseUrl: first.databaseUrl,
        port: first.port,
        env: {
          WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME,
          WEBSPLAT_IDLE_SECONDS: "0",
          WEBSPLAT_ADMIN_TOKEN: first.adminToken,
          STRIPE_WEBHOOK_SECRET: first.webhookSecret,
        },
      });
      planes.push(plane);
      return plane;
    };

    // Each life of the control plane takes a batch of purchases and is killed at a seeded moment.
    const batch = TENANTS / KILLS;
    let plane = first;
    for (let kill = 0; kill < KILLS; kill++) {
      const purchases = slugs.slice(kill * batch, (kill + 1) * batch);
      await Promise.all(
        purchases.map((slug) =>
          deliver(plane, stripeEvent("checkout.session.completed", checkoutSession({ slug }))),
        ),
      );
      await delay(Math.round(150 + next() * 1500));
      await plane.kill();
      plane = await restart();
    }

    const tenants = new Map<string, number>();
    for (const slug of slugs) {
      const tenant = await waitForTenant(plane, slug, settledActive, { timeoutMs: 60_000, what: "active" });
      tenants.set(slug, tenant.outputs.details.pid as number);
    }

    // Every host serves its own tenant.
    for (const slug of slugs) {
      const response = await fetchTenant(plane, slug, "/healthz");
      const text = await response.text();
      expect({
        slug,
        status: response.status,
        body: response.status === 200 ? JSON.parse(text) : text,
      }).toEqual({
        slug,
        status: 200,
        body: { status: "ok", tenant: slug },
      });
    }

    // Exactly one runtime process per tenant, the one the control plane reports; none for anyone else.
    await expect
      .poll(() => Object.fromEntries([...runtimeProcesses()].map(([slug, pids]) => [slug, pids.sort()])), {
        timeout: 10_000,
      })
      .toEqual(Object.fromEntries([...tenants].map(([slug, pid]) => [slug, [pid]])));

    // One role and one schema per tenant, and no other of this prefix.
    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const names = slugs.map((slug) => `t_${slug.replaceAll("-", "_")}`).sort();
      const roles = await sql<{ name: string }[]>`
        select rolname as name from pg_roles where rolname like ${"t\\_fk\\_%"} order by 1`;
      const schemas = await sql<{ name: string }[]>`
        select nspname as name from pg_namespace where nspname like ${"t\\_fk\\_%"} order by 1`;
      expect(roles.map((row) => row.name)).toEqual(names);
      expect(schemas.map((row) => row.name)).toEqual(names);
      // Nothing is left waiting that no worker will ever run. A reconcile whose attempt failed during the kills
      // stays running, with its error, until the queue retries it: with backoff the fifth attempt comes 16 s after
      // the fourth, so this waits for the longest such wait, not the usual one.
      await expect
        .poll(
          async () =>
            await sql`
            select slug, status, job_id from control_plane.operations where status in ('queued', 'running')`,
          { timeout: 45_000, interval: 500 },
        )
        .toEqual([]);
    } finally {
      await sql.end();
    }

    // No route, runtime record or stack record without its tenant; a slug never bought does not serve.
    const files = async (folder: string) =>
      (await readdir(join(plane.dataDir, folder)))
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -5))
        .sort();
    expect(await files("runtimes")).toEqual(slugs);
    expect(await files("stacks")).toEqual(slugs);
    expect((await fetchTenant(plane, `${PREFIX}never-bought`, "/healthz")).status).toBe(404);
    for (const slug of slugs)
      expect((await getTenant(plane, slug))?.outputs.details.runtime.state).toBe("running");
  }, 150_000);
});
