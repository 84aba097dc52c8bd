import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ConfigMap, PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { afterEach, beforeEach, expect, test } from "vitest";
import type { OperationContext } from "../../stacks/driver.ts";
import { createPulumiDriver, type StackWorkspaces, type WorkspaceStack } from "../../stacks/pulumi/index.ts";
import { PLACEHOLDER_PLATFORM } from "../../stacks/pulumi/render.ts";
import { type TierName, tenantSpec } from "../../tenant-template/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: declared inputs are checked by shape.
type Loose = any;

/** A backend that records what the driver hands the engine: the stack's config and its inline program. */
function recordingWorkspaces() {
  const seen: { config: ConfigMap; program: PulumiFn }[] = [];
  const stack = (program: PulumiFn): WorkspaceStack => {
    let config: ConfigMap = {};
    return {
      setAllConfig: async (next) => {
        config = next;
      },
      up: async () => {
        seen.push({ config, program });
        return { outputs: { url: { value: "https://acme.websp.lat", secret: false } } };
      },
      preview: async () => ({ changeSummary: {} }),
      refresh: async () => ({}),
      destroy: async () => ({}),
      cancel: async () => {},
      outputs: async () => ({}),
      exportStack: async () => ({ version: 3, deployment: { resources: [] } }),
      importStack: async () => {},
    };
  };
  const workspaces: StackWorkspaces = {
    cliVersion: async () => "3.248.0",
    installPlugins: async () => {},
    installedPlugins: async () => [],
    checkBackend: async () => "file://state",
    createStack: async (request) => stack(request.program),
    selectStack: async (request) => stack(request.program),
  };
  return { workspaces, seen };
}

/** Runs the recorded inline program under Pulumi mocks with the recorded config; answers what it declared. */
async function declaredBy(config: ConfigMap, program: PulumiFn): Promise<{ type: string; inputs: Loose }[]> {
  const declared: { type: string; inputs: Loose }[] = [];
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([key, { value }]) => [key, value])),
  );
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, inputs }) => {
        declared.push({ type, inputs });
        return {
          id: `${type}-id`,
          state: type.includes("RandomPassword") ? { ...inputs, result: "pw" } : inputs,
        };
      },
      call: ({ inputs }) => inputs,
    },
    "websplat-tenant",
    "acme",
  );
  await pulumi.runtime.runInPulumiStack(async () => {
    await program();
    return undefined;
  });
  await pulumi.runtime.disconnect();
  return declared;
}

const ctx: OperationContext = { signal: new AbortController().signal, log: () => {} };
let workRoot: string;
beforeEach(async () => {
  workRoot = await mkdtemp(join(tmpdir(), "websplat-domains-"));
});
afterEach(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

async function upWith(tier: TierName, verified: string[]) {
  const { workspaces, seen } = recordingWorkspaces();
  const asked: string[] = [];
  const driver = createPulumiDriver({
    backendUrl: "file://state",
    passphrase: "x",
    adminDatabaseUrl: "postgres://admin:pw@db.example:5432/websplat?sslmode=verify-full",
    cloudflare: { apiToken: "cf-token", zoneId: "base-zone" },
    customDomains: {
      sitesZoneId: "sites-zone",
      hostnames: async (slug) => {
        asked.push(slug);
        return verified;
      },
      platformDomains: ["websp.lat", "websplat.site"],
    },
    workspaces,
    workRoot,
  });
  const spec = tenantSpec(
    { slug: "acme", tier, desired: "active", generation: 2, ownerEmail: "owner@example.com" },
    PLACEHOLDER_PLATFORM,
  );
  await driver.up(spec, ctx);
  const [run] = seen;
  if (!run) throw new Error("the driver ran no update");
  return { asked, declared: await declaredBy(run.config, run.program) };
}

test("a tenant's verified custom domains become Cloudflare for SaaS custom hostnames in the sites zone of its stack", async () => {
  const { asked, declared } = await upWith("pro", ["www.example.com", "shop.example.com"]);
  expect(asked).toEqual(["acme"]);
  const hostnames = declared.filter(
    (resource) => resource.type === "cloudflare:index/customHostname:CustomHostname",
  );
  expect(hostnames.map((resource) => resource.inputs.hostname).sort()).toEqual([
    "shop.example.com",
    "www.example.com",
  ]);
  for (const { inputs } of hostnames) {
    expect(inputs).toMatchObject({ zoneId: "sites-zone", ssl: { method: "http", type: "dv" } });
    expect(inputs.customMetadata).toMatchObject({ tenant: "acme" });
  }
});

test("a tier without custom domains declares none, so a downgraded tenant's update removes them instead of failing", async () => {
  const { declared } = await upWith("starter", ["www.example.com"]);
  expect(
    declared.some((resource) => resource.type === "cloudflare:index/customHostname:CustomHostname"),
  ).toBe(false);
});
