import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import {
  checkoutSession,
  deliver,
  getTenant,
  settledActive,
  stripeEvent,
  waitForTenant,
} from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const SLOW_RUNTIME = resolve(import.meta.dirname, "../fixtures/slow-healthz-runtime.ts");
const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");

const healthz = async (plane: RunningControlPlane, slug: string) => {
  const response = await fetchTenant(plane, slug, "/healthz");
  return response.status === 200 ? await response.json() : null;
};

/** Pids of live processes started as `slug`'s runtime (Linux: read from /proc). */
function runtimePids(slug: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (environ.includes(`WEBSPLAT_TENANT=${slug}`)) pids.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}

/** Crashes: of the control plane mid-provisioning, and of a tenant's runtime. Slugs start with "rc-". */
describe("resilience", () => {
  const planes: RunningControlPlane[] = [];

  afterAll(async () => {
    for (const plane of planes.reverse()) await plane.stop();
    for (const plane of planes) await plane.cleanup();
  });

  it("after a SIGKILL during provisioning, a restarted control plane converges the tenant and existing tenants serve again", async () => {
    const first = await startControlPlane({ env: { WEBSPLAT_RUNTIME_ENTRY: SLOW_RUNTIME } });
    planes.push(first);
    await deliver(first, stripeEvent("checkout.session.completed", checkoutSession({ slug: "rc-existing" })));
    await waitForTenant(first, "rc-existing", settledActive, { what: "active" });
    expect(await healthz(first, "rc-existing")).toEqual({ status: "ok", tenant: "rc-existing" });

    await deliver(first, stripeEvent("checkout.session.completed", checkoutSession({ slug: "rc-midway" })));
    const sql = postgres(first.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      // Kill while the reconcile is running (the slow runtime has not answered yet).
      await waitFor(
        async () =>
          (await sql`select 1 from control_plane.operations where slug = 'rc-midway' and status = 'running'`)
            .length > 0,
        { timeoutMs: 10_000, what: "the provisioning operation to run" },
      );
    } finally {
      await sql.end();
    }
    await first.kill();

    // Restarted as an operator does, on the same port: the running runtime's configuration still matches.
    const second = await startControlPlane({
      dataDir: first.dataDir,
      databaseUrl: first.databaseUrl,
      port: first.port,
      env: {
        WEBSPLAT_RUNTIME_ENTRY: SLOW_RUNTIME,
        WEBSPLAT_ADMIN_TOKEN: first.adminToken,
        STRIPE_WEBHOOK_SECRET: first.webhookSecret,
      },
    });
    planes.push(second);
    const midway = await waitForTenant(second, "rc-midway", settledActive, {
      timeoutMs: 45_000,
      what: "active after restart",
    });
    expect(midway.outputs.details.pid).toEqual(expect.any(Number));
    expect(await waitFor(() => healthz(second, "rc-midway"), { timeoutMs: 15_000 })).toEqual({
      status: "ok",
      tenant: "rc-midway",
    });
    // The runtime the killed control plane was starting is not left behind next to the new one.
    await expect
      .poll(() => runtimePids("rc-midway"), { timeout: 10_000 })
      .toEqual([midway.outputs.details.pid]);
    expect(await waitFor(() => healthz(second, "rc-existing"), { timeoutMs: 15_000 })).toEqual({
      status: "ok",
      tenant: "rc-existing",
    });
    const operations = (await (
      await fetch(`${second.url}/admin/tenants/rc-midway/operations`, {
        headers: { authorization: `Bearer ${second.adminToken}` },
      })
    ).json()) as { operations: Array<{ status: string }> };
    expect(operations.operations.map((op) => op.status)).toContain("succeeded");
    expect(operations.operations.map((op) => op.status)).not.toContain("running");
  }, 120_000);

  it("a tenant runtime that dies is restarted and serves again", async () => {
    const plane = await startControlPlane({ env: { WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME } });
    planes.push(plane);
    const slug = "rc-phoenix";
    await deliver(plane, stripeEvent("checkout.session.completed", checkoutSession({ slug })));
    const tenant = await waitForTenant(plane, slug, settledActive, { what: "active" });
    const pid = tenant.outputs.details.pid as number;
    expect(pid).toEqual(expect.any(Number));
    expect(await healthz(plane, slug)).toEqual({ status: "ok", tenant: slug });

    process.kill(pid, "SIGKILL");
    const restarted = await waitForTenant(
      plane,
      slug,
      (t) =>
        typeof t.outputs?.details?.pid === "number" &&
        t.outputs.details.pid !== pid &&
        t.outputs.details.runtime.state === "running",
      { timeoutMs: 20_000, what: "a new runtime process" },
    );
    expect(restarted.outputs.details.runtime.restarts).toBeGreaterThanOrEqual(1);
    expect(await waitFor(() => healthz(plane, slug), { timeoutMs: 10_000 })).toEqual({
      status: "ok",
      tenant: slug,
    });
    expect((await getTenant(plane, slug))?.status).toBe("active");
  }, 60_000);
});
