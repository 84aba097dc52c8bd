import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../control-plane/config.ts";
import { modelUpstream, runtimeModelEnv } from "../../control-plane/models/index.ts";
import { pulumiDriverOptions } from "../../stacks/pulumi/index.ts";
import { tenantProgram } from "../../stacks/pulumi/program.ts";
import { PLACEHOLDER_PLATFORM } from "../../stacks/pulumi/render.ts";
import { tenantSpec } from "../../tenant-template/spec.ts";
import { PRODUCTION_ENV } from "../support/production-env.ts";

const PLATFORM_KEY = "sk-platform-0123456789abcdefghijklmnopqrstuvwxyz";

/** The control plane's environment in the cluster, the platform's model key included. */
const CONTROL_PLANE_ENV = {
  ...PRODUCTION_ENV,
  OPENAI_API_KEY: PLATFORM_KEY,
  OPENAI_MODEL: "gpt-4.1-mini",
};

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** A secret input reaches the mock engine wrapped; its value is what the cluster would get. */
const plain = (value: unknown): unknown =>
  value && typeof value === "object" && SECRET_SIG in value
    ? (value as unknown as { value: unknown }).value
    : value;

const declared: Array<{ type: string; name: string; inputs: unknown }> = [];

/** Runs the tenant stack's program as the Pulumi driver builds it from the control plane's environment. */
beforeAll(async () => {
  const spec = tenantSpec(
    { slug: "acme", tier: "pro", desired: "active", generation: 1, ownerEmail: "owner@example.com" },
    { ...PLACEHOLDER_PLATFORM, model: { model: CONTROL_PLANE_ENV.OPENAI_MODEL } },
  );
  pulumi.runtime.setAllConfig({
    "websplat:spec": JSON.stringify(spec),
    "websplat:cloudflareZoneId": CONTROL_PLANE_ENV.CLOUDFLARE_ZONE_ID,
  });
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs }) => {
        declared.push({ type, name, inputs });
        const state =
          type === "random:index/randomPassword:RandomPassword" ? { ...inputs, result: "pw" } : inputs;
        return { id: `${name}-id`, state };
      },
      call: ({ inputs }) => inputs,
    },
    "websplat-tenant",
    "acme",
  );
  const { pulumi: settings } = loadConfig({ ...CONTROL_PLANE_ENV, WEBSPLAT_DRIVER: "pulumi" });
  if (!settings) throw new Error("the Pulumi driver got no settings");
  const options = pulumiDriverOptions(settings);
  const upstream = modelUpstream(CONTROL_PLANE_ENV);
  const program = tenantProgram({
    ...options,
    // What the control plane gives every runtime (control-plane/platform.ts).
    runtimeEnv: (slug) => ({
      WEBSPLAT_PLATFORM_URL: "https://websp.lat",
      WEBSPLAT_PLATFORM_TOKEN: `tenant-api-credential-of-${slug}`,
      ...runtimeModelEnv(upstream, "https://websp.lat"),
    }),
  });
  await pulumi.runtime.runInPulumiStack(program);
  await pulumi.runtime.disconnect();
});

describe("attack: a tenant reads the platform's model key from its own pod", () => {
  test("no object of a tenant stack holds the platform's model key, in any field", () => {
    expect(declared.length).toBeGreaterThan(10);
    for (const resource of declared)
      expect(JSON.stringify(resource.inputs), resource.name).not.toContain(PLATFORM_KEY);
  });

  test("the runtime's Secret sends it to the platform's model proxy with its own credential instead", () => {
    const secret = declared.find((resource) => resource.name === "acme-runtime-secret")?.inputs as {
      stringData: unknown;
    };
    const data = plain(secret.stringData) as Record<string, unknown>;
    expect(plain(data.WEBSPLAT_MODEL_URL)).toBe("https://websp.lat/api/tenant/model/v1");
    expect(plain(data.WEBSPLAT_PLATFORM_TOKEN)).toBe("tenant-api-credential-of-acme");
    expect(Object.keys(data)).not.toContain("OPENAI_API_KEY");
  });
});
