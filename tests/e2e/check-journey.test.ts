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
});
