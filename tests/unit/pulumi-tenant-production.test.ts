import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { PLACEHOLDER_PLATFORM } from "../../stacks/pulumi/render.ts";
import type { TenantEnvironmentArgs } from "../../tenant-template/environment.ts";
import { tenantSpec } from "../../tenant-template/spec.ts";

// biome-ignore lint/suspicious/noExplicitAny: declared inputs are checked by shape.
type Loose = any;

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** A secret input reaches the mock engine wrapped; its value is what the cluster would get. */
const plain = (value: Loose): Loose =>
  value && typeof value === "object" && SECRET_SIG in value ? value.value : value;

interface Declared {
  type: string;
  inputs: Loose;
  dependsOn: string[];
}

/** Runs TenantEnvironment under mocks as the driver does in the cluster, with every resource's options. */
async function declare(extra: Partial<TenantEnvironmentArgs> = {}): Promise<Map<string, Declared>> {
  const spec = tenantSpec(
    { slug: "acme", tier: "pro", desired: "active", generation: 3, ownerEmail: "owner@example.com" },
    PLACEHOLDER_PLATFORM,
  );
  const declared = new Map<string, Declared>();
  const names = new WeakMap<pulumi.Resource, string>();
  const dependsOn = new Map<string, pulumi.Resource[]>();
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs }) => {
        declared.set(name, { type, inputs, dependsOn: [] });
        const state =
          type === "random:index/randomPassword:RandomPassword" ? { ...inputs, result: "pw" } : inputs;
        return { id: `${name}-id`, state };
      },
      call: ({ inputs }) => inputs,
    },
    "websplat-tenant",
    "acme",
    false,
  );
  const { TenantEnvironment } = await import("../../tenant-template/environment.ts");
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      names.set(args.resource, args.name);
      dependsOn.set(args.name, [args.opts.dependsOn ?? []].flat() as pulumi.Resource[]);
      return undefined;
    });
    new TenantEnvironment("acme", {
      spec,
      adminDatabaseUrl:
        "postgres://websplat_admin:pw@db.abc.eu-central-1.rds.amazonaws.com:5432/websplat?sslmode=verify-full",
      databaseCaFile: "/etc/ssl/certs/rds-global-bundle.pem",
      cloudflareZoneId: "0123456789abcdef0123456789abcdef",
      cloudflareApiToken: "token",
      ...extra,
    });
    return undefined;
  });
  await pulumi.runtime.disconnect();
  for (const [name, resources] of dependsOn) {
    const entry = declared.get(name);
    if (entry) entry.dependsOn = resources.map((resource) => names.get(resource) ?? "?");
  }
  return declared;
}

const byType = (declared: Map<string, Declared>, type: string) =>
  [...declared.values()].filter((resource) => resource.type === type);

describe("a tenant stack run by the control plane in the cluster", () => {
  test("the runtime Deployment waits for its Postgres role, schema and grants, since it migrates its schema at start", async () => {
    const declared = await declare();
    expect(declared.get("acme-runtime")?.dependsOn).toEqual(
      expect.arrayContaining([
        "acme-database-role",
        "acme-database-schema",
        "acme-database-connect",
        "acme-database-revoke-public",
      ]),
    );
  });

  test("with no kubeconfig the provider uses the control plane's ServiceAccount, bound to the tenant role in this namespace only", async () => {
    const declared = await declare();
    const provider = byType(declared, "pulumi:providers:kubernetes")[0]?.inputs;
    expect(provider.kubeconfig).toBeUndefined();
    const binding = declared.get("acme-manager")?.inputs;
    expect(binding).toMatchObject({
      metadata: { namespace: "t-acme" },
      roleRef: { kind: "ClusterRole", name: "websplat-tenant-manager" },
      subjects: [{ kind: "ServiceAccount", name: "control-plane", namespace: "websplat" }],
    });
    // Every namespaced object needs those rights first.
    for (const name of [
      "acme-quota",
      "acme-default-deny",
      "acme-runtime-secret",
      "acme-runtime",
      "acme-ingress",
    ]) {
      expect(declared.get(name)?.dependsOn, name).toContain("acme-manager");
    }
  });

  test("the postgresql provider and the runtime verify the database certificate (verify-full, RDS CA)", async () => {
    const declared = await declare();
    const provider = byType(declared, "pulumi:providers:postgresql")[0]?.inputs;
    expect(provider).toMatchObject({
      sslmode: "verify-full",
      sslrootcert: "/etc/ssl/certs/rds-global-bundle.pem",
    });
    const secret = plain(declared.get("acme-runtime-secret")?.inputs.stringData);
    expect(new URL(plain(secret.DATABASE_URL)).searchParams.get("sslmode")).toBe("verify-full");
  });

  test("the runtime gets the platform's tenant API address and its own credentials, so publishing, billing and feedback work in the cluster", async () => {
    const declared = await declare({
      runtimeEnv: {
        WEBSPLAT_PLATFORM_URL: "https://websp.lat",
        WEBSPLAT_PLATFORM_TOKEN: "tenant-api-credential-of-acme",
        WEBSPLAT_SITES_TOKEN: `wsp_acme_${"a".repeat(64)}`,
      },
    });
    const secret = plain(declared.get("acme-runtime-secret")?.inputs.stringData);
    expect(plain(secret.WEBSPLAT_PLATFORM_URL)).toBe("https://websp.lat");
    expect(plain(secret.WEBSPLAT_PLATFORM_TOKEN)).toBe("tenant-api-credential-of-acme");
    expect(plain(secret.WEBSPLAT_SITES_TOKEN)).toBe(`wsp_acme_${"a".repeat(64)}`);
    const withoutPlatform = plain((await declare()).get("acme-runtime-secret")?.inputs.stringData);
    expect(withoutPlatform).not.toHaveProperty("WEBSPLAT_PLATFORM_TOKEN");
  });

  test("a changed Secret (a rotated credential) rolls the runtime's pods; an unchanged one does not", async () => {
    const checksum = (declared: Map<string, Declared>) =>
      plain(
        declared.get("acme-runtime")?.inputs.spec.template.metadata.annotations["websp.lat/secret-checksum"],
      );
    const token = (value: string) => ({ runtimeEnv: { WEBSPLAT_PLATFORM_TOKEN: value } });
    const first = checksum(await declare(token("credential-first")));
    const again = checksum(await declare(token("credential-first")));
    const rotated = checksum(await declare(token("credential-rotated")));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(again).toBe(first);
    expect(rotated).not.toBe(first);
  });

  test("after a cluster rebuild the provider drops objects of the lost cluster instead of failing every refresh", async () => {
    const normal = byType(await declare(), "pulumi:providers:kubernetes")[0]?.inputs;
    const rebuilt = byType(await declare({ deleteUnreachable: true }), "pulumi:providers:kubernetes")[0]
      ?.inputs;
    expect(String(normal.deleteUnreachable)).toBe("false");
    expect(String(rebuilt.deleteUnreachable)).toBe("true");
  });
});
