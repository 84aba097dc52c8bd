import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, websplat } from "../support/cli.ts";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { FAST_PROBES, outageSwitch, probeOf, probes, SWITCHABLE_RUNTIME } from "../support/probes.ts";
import { admin, getTenant, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

/** Synthetic probes against real runtimes behind the gateway. Slugs start with "pr-". */
describe("synthetic probes", () => {
  let plane: RunningControlPlane;
  let outages: Awaited<ReturnType<typeof outageSwitch>>;

  beforeAll(async () => {
    outages = await outageSwitch();
    plane = await startControlPlane({
      env: {
        ...FAST_PROBES,
        ...outages.env,
        WEBSPLAT_RUNTIME_ENTRY: SWITCHABLE_RUNTIME,
        WEBSPLAT_IDLE_SECONDS: "2",
      },
    });
    for (const slug of ["pr-downhill", "pr-sleepy"]) {
      const created = await admin(plane, "/admin/tenants", {
        method: "POST",
        body: { slug, email: `owner@${slug}.test`, tier: "starter" },
      });
      expect(created.status).toBe(201);
      await waitForTenant(plane, slug, (t) => t.status === "active", { what: `${slug} active` });
    }
  }, 60_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
    await outages?.cleanup();
  });

  const metric = async (name: string, kind: string) => {
    const text = await (await fetch(`${plane.url}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith(`${name}{kind="${kind}"}`));
    return line ? Number(line.split(" ").at(-1)) : undefined;
  };

  it("a tenant whose runtime dies and cannot restart is reported down after 3 failed probes, and up once it recovers", async () => {
    const slug = "pr-downhill";
    expect((await fetchTenant(plane, slug, "/healthz")).status).toBe(200);
    await outages.takeDown(slug);

    const down = await waitFor(
      async () => {
        const target = await probeOf(plane, slug);
        return target?.alerting ? target : null;
      },
      { what: "the alert on pr-downhill", timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(down.state).toBe("down");
    expect(down.consecutiveFailures).toBeGreaterThanOrEqual(3);
    expect(down.lastError).toMatch(/runtime (backoff|starting|not running)/);

    // The alert is visible to operators: the admin API, the CLI, the metric an alert rule reads, an open incident.
    const cli = await websplat(["probes", "--alerting", "--json"], {
      url: plane.url,
      adminToken: plane.adminToken,
    });
    expect(cli.code).toBe(0);
    expect(json(cli).targets.map((t: { target: string }) => t.target)).toEqual([slug]);
    const text = await websplat(["probes", "--alerting"], { url: plane.url, adminToken: plane.adminToken });
    expect(text.stdout).toMatch(new RegExp(`tenant\\s+${slug}\\s+down\\s+FIRING`));
    expect(await metric("websplat_probe_alerting", "tenant")).toBe(1);
    const open = (await probes(plane)).incidents.filter((i) => i.target === slug && !i.resolvedAt);
    expect(open).toHaveLength(1);
    expect(plane.output()).toMatch(/probe alert: tenant pr-downhill failed \d+ probes in a row/);

    await outages.bringBack(slug);
    const recovered = await waitFor(
      async () => {
        const target = await probeOf(plane, slug);
        return target && !target.alerting ? target : null;
      },
      { what: "pr-downhill to recover", timeoutMs: 45_000, intervalMs: 200 },
    );
    expect(["up", "idle"]).toContain(recovered.state);
    expect(recovered.consecutiveFailures).toBe(0);
    expect(await metric("websplat_probe_alerting", "tenant")).toBe(0);
    const incidents = (await probes(plane)).incidents.filter((i) => i.target === slug);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.resolvedAt).not.toBeNull();
  }, 90_000);

  it("an idle, scaled-to-zero tenant is probed as idle, never woken, never reported down", async () => {
    const slug = "pr-sleepy";
    await waitForTenant(plane, slug, (t) => t.outputs?.details?.runtime?.state === "idle", {
      what: "pr-sleepy to scale to zero",
      timeoutMs: 20_000,
    });
    const log = () => readFile(join(plane.dataDir, "runtimes", `${slug}.log`), "utf8");
    const starts = (await log()).match(/switchable runtime started/g)?.length;

    // Ten more probe rounds of this tenant while it sleeps.
    const first = await waitFor(
      async () => {
        const target = await probeOf(plane, slug);
        return target?.state === "idle" ? target : null;
      },
      { what: "pr-sleepy probed as idle" },
    );
    let rounds = 0;
    let seen = first.lastCheckedAt;
    await waitFor(
      async () => {
        const target = (await probeOf(plane, slug))!;
        expect(target.state).toBe("idle");
        expect(target.alerting).toBe(false);
        if (target.lastCheckedAt !== seen) {
          seen = target.lastCheckedAt;
          rounds++;
        }
        return rounds >= 10;
      },
      { what: "ten probe rounds", timeoutMs: 20_000, intervalMs: 50 },
    );

    expect((await getTenant(plane, slug))?.outputs.details.runtime.state).toBe("idle");
    expect((await log()).match(/switchable runtime started/g)?.length).toBe(starts);
    expect((await probes(plane)).incidents.filter((i) => i.target === slug)).toEqual([]);
    expect(await metric("websplat_probe_up", "tenant")).toBe(2);
  }, 60_000);
});
