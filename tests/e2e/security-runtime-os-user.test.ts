import { statSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { admin, settledActive, waitForTenant } from "../support/stripe-events.ts";

const SNOOPING_RUNTIME = resolve(import.meta.dirname, "../fixtures/snooping-runtime.ts");
const asRoot = process.getuid?.() === 0;

/** A tenant's runtime, run by a control plane started as root, tries to read another's secrets. Slugs "ou-". */
describe.skipIf(!asRoot)("attack: a runtime reads what belongs to others", () => {
  let plane: RunningControlPlane;
  const pids: Record<string, number> = {};

  beforeAll(async () => {
    plane = await startControlPlane({
      env: { WEBSPLAT_RUNTIME_ENTRY: SNOOPING_RUNTIME, WEBSPLAT_IDLE_SECONDS: "0" },
    });
    for (const slug of ["ou-mallory", "ou-victim"]) {
      const created = await admin(plane, "/admin/tenants", {
        method: "POST",
        body: { slug, email: `${slug}@example.com`, tier: "starter" },
      });
      expect(created.status).toBeLessThan(300);
    }
    for (const slug of ["ou-mallory", "ou-victim"]) {
      const tenant = await waitForTenant(plane, slug, settledActive, { timeoutMs: 60_000, what: "active" });
      pids[slug] = tenant.outputs.details.pid;
    }
  }, 120_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  const read = async (path: string) => {
    const response = await fetchTenant(plane, "ou-mallory", `/read?path=${encodeURIComponent(path)}`);
    return (await response.json()) as { read?: string; error?: string; uid: number };
  };

  it("runs each runtime as a user of its own, not root", async () => {
    const mallory = await read("/dev/null");
    expect(mallory.uid).not.toBe(0);
    const victimUid = statSync(`/proc/${pids["ou-victim"]}`).uid;
    expect(victimUid).not.toBe(0);
    expect(victimUid).not.toBe(mallory.uid);
  });

  it("cannot read another runtime's environment (its database password)", async () => {
    const attempt = await read(`/proc/${pids["ou-victim"]}/environ`);
    expect(attempt.read).toBeUndefined();
    expect(attempt.error).toBe("EACCES");
  });

  it("cannot read the platform secret that derives every tenant's database password, nor the admin token", async () => {
    for (const name of ["platform-secret", "admin-token", "postgres-password"]) {
      const attempt = await read(`${plane.dataDir}/${name}`);
      expect(attempt.read).toBeUndefined();
      expect(attempt.error).toBe("EACCES");
    }
  });

  const fetchAsRuntime = async (path: string) => {
    const url = `${plane.url}${path}`;
    const response = await fetchTenant(plane, "ou-mallory", `/fetch?url=${encodeURIComponent(url)}`);
    return (await response.json()) as { status: number; body: string; uid: number };
  };

  it("cannot read the local mailbox (every tenant's sign-in links), even with the operator's key", async () => {
    const key = /\/dev\/mailbox\?key=(\S+)/.exec(plane.output())![1]!;
    expect((await fetch(`${plane.url}/dev/mailbox?key=${key}`, { redirect: "manual" })).status).toBe(303);
    for (const path of ["/dev/mailbox", `/dev/mailbox?key=${key}`]) {
      const attempt = await fetchAsRuntime(path);
      expect(attempt.uid).not.toBe(0);
      expect(attempt.status, path).toBe(404);
      expect(attempt.body).not.toContain("ou-victim");
    }
  });

  it("cannot scrape /metrics over loopback, which the platform's own user can", async () => {
    expect((await fetch(`${plane.url}/metrics`)).status).toBe(200);
    const attempt = await fetchAsRuntime("/metrics");
    expect(attempt.status).toBe(404);
    expect(attempt.body).not.toContain("websplat_");
  });

  it("keeps runtime logs and their folder private to the control plane", () => {
    expect(statSync(`${plane.dataDir}/runtimes`).mode & 0o777).toBe(0o700);
    expect(statSync(`${plane.dataDir}/runtimes/ou-victim.log`).mode & 0o777).toBe(0o600);
    expect(statSync(plane.dataDir).mode & 0o777).toBe(0o700);
  });
});
