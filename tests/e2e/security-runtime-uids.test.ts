import { statSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../stacks/local/ports.ts";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { alive } from "../support/processes.ts";
import { admin, settledActive, waitForTenant } from "../support/stripe-events.ts";

const SNOOPING_RUNTIME = resolve(import.meta.dirname, "../fixtures/snooping-runtime.ts");
const asRoot = process.getuid?.() === 0;
const ENV = { WEBSPLAT_RUNTIME_ENTRY: SNOOPING_RUNTIME, WEBSPLAT_IDLE_SECONDS: "0" };

/**
 * Runtime uids stay unique on the machine: across control-plane crashes that leave runtimes running, and between
 * control planes of different data dirs on one host. Slugs start with "uid-".
 */
describe.skipIf(!asRoot)("attack: a restarted runtime gets the uid of another tenant's", () => {
  const planes: RunningControlPlane[] = [];
  const pids: Record<string, number> = {};

  afterAll(async () => {
    for (const plane of planes) await plane.stop();
    for (const plane of planes) await plane.cleanup();
  });

  const start = async (reuse?: RunningControlPlane) => {
    const plane = await startControlPlane({
      env: ENV,
      // The same port: a runtime's configuration names the control plane's address, and only an unchanged one
      // is adopted.
      ...(reuse
        ? { dataDir: reuse.dataDir, databaseUrl: reuse.databaseUrl, port: reuse.port }
        : { port: await freePort() }),
    });
    planes.push(plane);
    return plane;
  };

  const provision = async (plane: RunningControlPlane, slug: string) => {
    const created = await admin(plane, "/admin/tenants", {
      method: "POST",
      body: { slug, email: `${slug}@example.com`, tier: "starter" },
    });
    expect(created.status).toBeLessThan(300);
    const tenant = await waitForTenant(plane, slug, settledActive, {
      timeoutMs: 60_000,
      what: `${slug} active`,
    });
    pids[slug] = tenant.outputs.details.pid;
    return tenant;
  };

  const uidOf = (pid: number) => statSync(`/proc/${pid}`).uid;

  it("after two kill -9 restarts with runtimes left running, a new tenant shares no uid and reads nothing", async () => {
    const first = await start();
    await provision(first, "uid-first");
    await first.kill();
    const second = await start(first);
    // Adopted, not restarted: the runtime left running serves on with its pid.
    const adopted = await waitForTenant(second, "uid-first", settledActive, { timeoutMs: 60_000 });
    expect(adopted.outputs.details.pid).toBe(pids["uid-first"]);
    await second.kill();
    const third = await start(first);
    await provision(third, "uid-second");
    expect(alive(pids["uid-first"]!)).toBe(true);

    expect(uidOf(pids["uid-second"]!)).not.toBe(uidOf(pids["uid-first"]!));
    const attempt = (await (
      await fetchTenant(
        third,
        "uid-second",
        `/read?path=${encodeURIComponent(`/proc/${pids["uid-first"]}/environ`)}`,
      )
    ).json()) as { read?: string; error?: string };
    expect(attempt.read).toBeUndefined();
    expect(attempt.error).toBe("EACCES");
  }, 240_000);

  it("a control plane of another data dir on the same host hands out none of the uids in use", async () => {
    const other = await start();
    await provision(other, "uid-elsewhere");
    const uids = ["uid-first", "uid-second", "uid-elsewhere"].map((slug) => uidOf(pids[slug]!));
    expect(new Set(uids).size).toBe(3);
    const attempt = (await (
      await fetchTenant(
        other,
        "uid-elsewhere",
        `/read?path=${encodeURIComponent(`/proc/${pids["uid-first"]}/environ`)}`,
      )
    ).json()) as { read?: string; error?: string };
    expect(attempt.error).toBe("EACCES");
  }, 120_000);
});
