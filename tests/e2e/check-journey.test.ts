import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOURNEY_STEPS, type JourneyStep } from "../../cli/commands/journey.ts";
import { json, startWebsplat, websplat } from "../support/cli.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import {
  type FaultAnswer,
  type FaultProxy,
  type ProxiedRequest,
  startFaultProxy,
} from "../support/fault-proxy.ts";
import { admin } from "../support/site-tenant.ts";
import { settledActive, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

/**
 * `websplat check journey` against a real control plane (started as `npm start` starts it), through a proxy
 * whose fault switch breaks one step at a time. A customer tenant ("cjy-customer") shows the KPIs still count.
 */
describe("websplat check journey", () => {
  let plane: RunningControlPlane;
  let proxy: FaultProxy;
  const customer = "cjy-customer";

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_PROBE_INTERVAL_SECONDS: "1" } });
    proxy = await startFaultProxy(plane.port);
    const signup = await fetch(`${plane.url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "owner@cjy.example", slug: customer, tier: "pro" }),
    });
    const { checkoutUrl } = (await signup.json()) as { checkoutUrl: string };
    await fetch(`${checkoutUrl}/pay`, { method: "POST", redirect: "manual" });
    await waitForTenant(plane, customer, settledActive, { timeoutMs: 45_000, what: "active" });
  }, 90_000);

  afterAll(async () => {
    await proxy?.close();
    await plane?.stop();
    await plane?.cleanup();
  });

  const check = (args: string[] = []) =>
    websplat(["check", "journey", "--url", proxy.url, "--json", ...args], { adminToken: plane.adminToken });

  it("passes every step of a customer's journey, timing each, and leaves its tenant deleted", async () => {
    const result = await check();
    const report = json(result);
    expect(result.code, JSON.stringify(report, null, 2)).toBe(0);
    expect(report.passed).toBe(true);
    expect(report.steps.map((s: { step: string }) => s.step)).toEqual([...JOURNEY_STEPS]);
    for (const step of report.steps) {
      expect(step.ok).toBe(true);
      expect(step.seconds).toBeGreaterThanOrEqual(0);
    }
    const tenant = (await admin(plane, `/admin/tenants/${report.slug}`)).body;
    expect(tenant).toMatchObject({ status: "deleted", check: true });
  }, 180_000);

  const checkHost = (request: ProxiedRequest) => /^check-[a-z0-9-]+\.localhost$/.test(request.host);
  const siteHost = (request: ProxiedRequest) => request.host.endsWith(".sites.localhost");
  const refuse = (status: number, body = "broken on purpose"): FaultAnswer => ({ status, body });

  /** One fault per step: each breaks exactly what a customer would hit at that step. */
  const faults: Record<JourneyStep, (request: ProxiedRequest) => FaultAnswer | undefined> = {
    sweep: (r) => (r.path.startsWith("/admin/tenants?check=true") ? refuse(500) : undefined),
    signup: (r) => (r.path === "/api/signup" ? refuse(503) : undefined),
    payment: (r) => (/^\/checkout\/local\/[^/]+\/pay$/.test(r.path) ? refuse(500) : undefined),
    provisioning: (r) => (checkHost(r) && r.path === "/healthz" ? refuse(503) : undefined),
    "welcome-email": (r) => (r.path.startsWith("/dev/mailbox") ? refuse(500) : undefined),
    "sign-in": (r) => (checkHost(r) && r.path.startsWith("/auth/callback") ? refuse(500) : undefined),
    build: (r) => (checkHost(r) && /\/runs$/.test(r.path) && r.method === "POST" ? refuse(500) : undefined),
    publish: (r) => (checkHost(r) && r.path.endsWith("/publish") ? refuse(500) : undefined),
    site: (r) => (siteHost(r) && r.path === "/" ? refuse(404, "Not found") : undefined),
    form: (r) => (siteHost(r) && r.path.startsWith("/_forms/") ? refuse(403) : undefined),
    "sign-in-email": (r) => (r.path === "/signin" && r.method === "POST" ? refuse(500) : undefined),
    cancel: (r) =>
      r.path.startsWith("/billing/local/") && r.path.endsWith("/cancel") ? refuse(500) : undefined,
    // The tenant host still serves the builder after the cancellation.
    suspension: (r) =>
      checkHost(r) && r.path === "/" && r.method === "GET" ? refuse(200, "builder") : undefined,
    deletion: (r) =>
      r.method === "DELETE" && r.path.startsWith("/admin/tenants/check-") ? refuse(500) : undefined,
  };

  it.each(JOURNEY_STEPS.map((step) => [step]))(
    "fails naming %s, with what failed and what to do, when that step is broken",
    async (step) => {
      proxy.fault(faults[step]);
      try {
        const result = await check(["--timeout", "8"]);
        const report = json(result);
        expect(result.code).toBe(1);
        expect(report.passed).toBe(false);
        expect(report.failedStep).toBe(step);
        const failed = report.steps.at(-1);
        expect(failed).toMatchObject({ step, ok: false });
        expect(failed.detail).toMatch(/ — \S/);
        expect(report.steps.slice(0, -1).every((s: { ok: boolean }) => s.ok)).toBe(true);
      } finally {
        proxy.fault(null);
      }
    },
    90_000,
  );

  it("prints each step's name and time, and the failed step on stderr without --json", async () => {
    proxy.fault(faults.publish);
    try {
      const result = await websplat(["check", "journey", "--url", proxy.url, "--timeout", "8"], {
        adminToken: plane.adminToken,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^ok +signup +\d+\.\d\d s /m);
      expect(result.stdout).toMatch(/^FAIL publish +\d+\.\d\d s +publishing answered 500/m);
      expect(result.stdout).toContain("journey FAILED at publish");
    } finally {
      proxy.fault(null);
    }
  }, 90_000);

  it("a check killed halfway leaves its tenant out of the KPIs and the probes, and the next check run deletes it", async () => {
    const killed = startWebsplat(["check", "journey", "--url", proxy.url], { adminToken: plane.adminToken });
    const output = await killed.waitForOutput(/^ok +build /m);
    killed.child.kill("SIGKILL");
    await killed.done;
    const slug = /^ok +provisioning .*http:\/\/(check-[a-z0-9-]+)\.localhost/m.exec(output)![1]!;
    const tenant = (await admin(plane, `/admin/tenants/${slug}`)).body;
    expect(tenant).toMatchObject({ status: "active", desired: "active", check: true });

    // While it is active and has built, a probe round later: only the customer counts anywhere.
    const killedAt = Date.now();
    await waitFor(
      async () => {
        const probes = (await admin(plane, "/admin/probes?kind=tenant")).body.targets;
        return probes.some(
          (p: { target: string; lastCheckedAt: string }) =>
            p.target === customer && Date.parse(p.lastCheckedAt) > killedAt,
        );
      },
      { what: "a probe round after the kill", timeoutMs: 30_000 },
    );
    const probed = (await admin(plane, "/admin/probes?kind=tenant")).body.targets.map(
      (p: { target: string }) => p.target,
    );
    expect(probed).toEqual([customer]);
    const status = (await (await fetch(`${plane.url}/status.json`)).json()) as {
      components: Array<{ name: string; state: string }>;
    };
    expect(status.components.find((c) => c.name === "tenants")?.state).toBe("operational");
    const stats = (await admin(plane, "/admin/stats?since=1d")).body;
    expect(stats.signups.started).toBe(1);
    expect(stats.checkouts.completed).toBe(1);
    expect(stats.cancellations).toBe(0);
    expect(stats.activeTenants).toMatchObject({ total: 1, pro: 1 });
    expect(stats.mrrCents).toBeGreaterThan(0);
    expect(stats.builder.pro.runs).toBe(0);
    expect(stats.provisioningSeconds.count).toBe(1);

    // The next run sweeps it first (here with no age bound), then carries on; a refused signup stops it early.
    proxy.fault(faults.signup);
    try {
      const next = json(await check(["--sweep-after", "0"]));
      expect(next.steps[0]).toMatchObject({ step: "sweep", ok: true });
      expect(next.steps[0].detail).toContain(slug);
    } finally {
      proxy.fault(null);
    }
    await waitForTenant(plane, slug, (t) => t.status === "deleted", { what: "deleted", timeoutMs: 30_000 });
    const left = (await admin(plane, "/admin/tenants?check=true&limit=500")).body.tenants;
    expect(left.filter((t: { desired: string }) => t.desired !== "deleted")).toEqual([]);
  }, 120_000);

  it("refuses a check signup without the admin token, and the check with a wrong token, changing nothing", async () => {
    const signup = await fetch(`${plane.url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-websplat-check": "journey" },
      body: JSON.stringify({ email: "x@cjy.example", slug: "cjy-sneaky", tier: "pro" }),
    });
    expect(signup.status).toBe(401);
    expect((await admin(plane, "/admin/tenants/cjy-sneaky")).status).toBe(404);
    const wrong = await websplat(["check", "journey", "--url", proxy.url, "--json"], { adminToken: "wrong" });
    expect(wrong.code).toBe(1);
    expect(json(wrong)).toMatchObject({ failedStep: "sweep" });
  });
});
