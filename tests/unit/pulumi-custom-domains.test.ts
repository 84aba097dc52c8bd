import * as pulumi from "@pulumi/pulumi";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { expect, test } from "vitest";
import { resourceInputViolations, tenantViolations } from "../../stacks/pulumi/guardrails/rules.ts";
import { kubernetesObjects, PLACEHOLDER_PLATFORM } from "../../stacks/pulumi/render.ts";
import { customDomainProblems, customHostnameViolations } from "../../tenant-template/custom-domains.ts";
import { tenantSpec } from "../../tenant-template/spec.ts";

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are checked by shape.
type Loose = any;

const SCHEMAS: Record<string, new (data: Loose) => { validate(): void }> = {
  RoleBinding,
  Namespace,
  ResourceQuota,
  LimitRange,
  NetworkPolicy,
  ServiceAccount,
  Secret,
  Service,
  Deployment,
  Ingress,
};

const pro = tenantSpec(
  { slug: "lena-yoga", tier: "pro", desired: "active", generation: 2, ownerEmail: "owner@example.com" },
  PLACEHOLDER_PLATFORM,
);

/** Pulumi hands secret inputs over wrapped (`{ <signature key>: <secret signature>, value }`); unwrap them. */
function revealSecrets(value: Loose): Loose {
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value && typeof value === "object") {
    if (value["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270")
      return revealSecrets(value.value);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, revealSecrets(inner)]));
  }
  return value;
}

/** The tenant program under Pulumi mocks, with custom domains, as the production driver would run it. */
async function declare(hostnames: string[]) {
  const declared: { type: string; name: string; inputs: Loose }[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs }) => {
        declared.push({ type, name, inputs: revealSecrets(inputs) });
        // A real provider computes the password; the Secret that holds the database URL needs it.
        const state =
          type === "random:index/randomPassword:RandomPassword" ? { ...inputs, result: "pw" } : inputs;
        return { id: `${name}-id`, state };
      },
      call: ({ inputs }) => inputs,
    },
    "websplat-tenant",
    pro.stack,
    true,
  );
  const { TenantEnvironment } = await import("../../tenant-template/environment.ts");
  new TenantEnvironment(pro.slug, {
    spec: pro,
    kubeconfig: "# kubeconfig",
    adminDatabaseUrl: "postgres://admin:secret@postgres.invalid:5432/websplat",
    cloudflareZoneId: "tenant-zone",
    customDomains: { hostnames, sitesZoneId: "sites-zone", platformDomains: ["websp.lat", "websplat.site"] },
  });
  await pulumi.runtime.disconnect();
  return declared;
}

test("a pro tenant with custom domains declares one Cloudflare for SaaS custom hostname each, and everything validates", async () => {
  const declared = await declare(["www.lena-yoga.test", "lena-yoga.test"]);
  const hostnames = declared.filter((r) => r.type === "cloudflare:index/customHostname:CustomHostname");
  expect(hostnames.map((r) => r.inputs.hostname).sort()).toEqual(["lena-yoga.test", "www.lena-yoga.test"]);
  for (const resource of hostnames) {
    expect(resource.inputs.zoneId).toBe("sites-zone");
    expect(customHostnameViolations(resource.inputs, pro.slug)).toEqual([]);
  }

  const objects = kubernetesObjects(declared) as Loose[];
  expect(objects.length).toBeGreaterThan(5);
  for (const object of objects) {
    const Schema = SCHEMAS[object.kind];
    expect(Schema, object.kind).toBeDefined();
    expect(() => new Schema!(object).validate(), `${object.kind} ${object.metadata?.name}`).not.toThrow();
  }
  expect(tenantViolations(objects)).toEqual([]);
  for (const resource of declared)
    expect(resourceInputViolations(resource.type, resource.inputs, resource.name)).toEqual([]);
});

test("custom hostnames are refused for a tier without them, twice the same name, or a platform domain", () => {
  const starter = tenantSpec(
    { slug: "ben-pots", tier: "starter", desired: "active", generation: 1, ownerEmail: "b@example.com" },
    PLACEHOLDER_PLATFORM,
  );
  expect(customDomainProblems(starter, { hostnames: ["www.ben.test"] })).toEqual([
    "The starter tier has no custom domains.",
  ]);
  expect(customDomainProblems(pro, { hostnames: ["a.test", "a.test"] })).toContain(
    "A hostname is listed twice.",
  );
  expect(customDomainProblems(pro, { hostnames: ["x.websp.lat"], platformDomains: ["websp.lat"] })).toEqual([
    "x.websp.lat is under the platform's domain websp.lat.",
  ]);
  expect(
    customHostnameViolations(
      { hostname: "www.a.test", ssl: { type: "dv" }, customMetadata: { tenant: "other" } },
      pro.slug,
    ),
  ).toEqual([
    "custom-hostname-tls: TLS 1.2 at least",
    "custom-hostname-tenant: tagged with the tenant it belongs to",
  ]);
});
