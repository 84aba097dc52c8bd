import { expect, test } from "vitest";
import type { Operation, Tenant } from "../../cli/api-types.ts";
import { canaryRollout, canaryWaves } from "../../cli/commands/canary.ts";

const tenant = (slug: string, check = false) => ({ slug, check }) as Tenant;
const operation = (slug: string, status: Operation["status"], message?: string) =>
  ({ id: `op-${slug}`, slug, status, error: message ? { code: "failed", message } : null }) as Operation;

const customers = Array.from({ length: 40 }, (_, i) => tenant(`shop-${i}`));
const checks = [tenant("check-a", true), tenant("check-b", true)];

test("check tenants go first, then the given share of customers spread over the list, then the rest", () => {
  const waves = canaryWaves([...customers.slice(0, 20), ...checks, ...customers.slice(20)], 5);
  expect(waves.map((w) => w.name)).toEqual(["check tenants", "canary (5 % of customers)", "everyone else"]);
  expect(waves[0]!.slugs).toEqual(["check-a", "check-b"]);
  expect(waves[1]!.slugs).toEqual(["shop-0", "shop-20"]);
  expect(waves[2]!.slugs).toHaveLength(38);
  expect(new Set(waves.flatMap((w) => w.slugs)).size).toBe(42);
  // A small platform still gets a canary of one customer before the rest.
  expect(canaryWaves([tenant("solo"), tenant("duo")], 5).map((w) => w.slugs)).toEqual([["solo"], ["duo"]]);
});

test("a failed update of a check tenant halts the rollout before any customer is touched", async () => {
  const updated: string[] = [];
  const result = await canaryRollout(canaryWaves([...checks, ...customers], 5), {
    update: async (slug) => {
      updated.push(slug);
      return operation(slug, slug === "check-b" ? "failed" : "succeeded", "the runtime crashed at start");
    },
    alerting: async () => [],
  });
  expect(updated).toEqual(["check-a", "check-b"]);
  expect(result.halted).toEqual({
    wave: "check tenants",
    reason: "check-b's update failed: the runtime crashed at start",
  });
});

test("a canary customer alerting in its probes after its update halts before everyone else", async () => {
  const updated: string[] = [];
  const result = await canaryRollout(canaryWaves([...checks, ...customers], 5), {
    update: async (slug) => {
      updated.push(slug);
      return operation(slug, "succeeded");
    },
    // shop-7 alerts but was not updated: only updated tenants count against the release.
    alerting: async () => (updated.includes("shop-20") ? ["shop-20", "shop-7"] : ["shop-7"]),
  });
  expect(updated).toEqual(["check-a", "check-b", "shop-0", "shop-20"]);
  expect(result.halted).toEqual({
    wave: "canary (5 % of customers)",
    reason: "probes alert for shop-20 after their update",
  });
});

test("with every update healthy, every tenant is updated once, wave by wave", async () => {
  const updated: string[] = [];
  const result = await canaryRollout(canaryWaves([...checks, ...customers], 10), {
    update: async (slug) => {
      updated.push(slug);
      return operation(slug, "succeeded");
    },
    alerting: async () => [],
  });
  expect(result.halted).toBeNull();
  expect(updated.slice(0, 2)).toEqual(["check-a", "check-b"]);
  expect(updated.sort()).toEqual([...checks, ...customers].map((t) => t.slug).sort());
});
