import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { describe, expect, test } from "vitest";
import { tenantViolations } from "../../stacks/pulumi/guardrails/rules.ts";
import {
  type DeclaredResource,
  declaredResources,
  kubernetesObjects,
  PLACEHOLDER_PLATFORM,
} from "../../stacks/pulumi/render.ts";
import { tenantSpec } from "../../tenant-template/spec.ts";
import { TIER_NAMES, TIERS, type TierName } from "../../tenant-template/tiers.ts";

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are checked by shape.
type Loose = any;

/** Every kind the tenant declares, validated against the Kubernetes OpenAPI schemas. */
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
  PodDisruptionBudget,
  Ingress,
};

async function render(tier: TierName, desired: "active" | "suspended" = "active") {
  const spec = tenantSpec(
    { slug: "acme-studio", tier, desired, generation: 3, ownerEmail: "owner@example.com" },
    PLACEHOLDER_PLATFORM,
  );
  const resources = await declaredResources(spec);
  const objects = kubernetesObjects(resources) as Loose[];
  const one = (kind: string, name?: string) => {
    const found = objects.filter(
      (object) => object.kind === kind && (!name || object.metadata.name === name),
    );
    expect(found, `${kind} ${name ?? ""}`).toHaveLength(1);
    return found[0];
  };
  const resource = (type: string): DeclaredResource => {
    const found = resources.find((candidate) => candidate.type === type);
    expect(found, type).toBeDefined();
    return found as DeclaredResource;
  };
  return { spec, resources, objects, one, resource };
}

describe.each(TIER_NAMES)("a %s tenant", (tier) => {
  test("validates against the Kubernetes schemas and breaks no guardrail", async () => {
    const { objects } = await render(tier);
    for (const object of objects) {
      const Schema = SCHEMAS[object.kind];
      expect(Schema, `schema for ${object.kind}`).toBeDefined();
      expect(() => new (Schema as NonNullable<typeof Schema>)(object).validate()).not.toThrow();
    }
    expect(tenantViolations(objects)).toEqual([]);
  });

  test("gets a restricted namespace, its tier's quota and limits, and no way out of the cluster", async () => {
    const { one } = await render(tier);
    const namespace = one("Namespace");
    expect(namespace.metadata.name).toBe("t-acme-studio");
    expect(namespace.metadata.labels).toMatchObject({
      "websp.lat/tenant": "acme-studio",
      "websp.lat/tier": tier,
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    const quota = one("ResourceQuota").spec.hard;
    expect(quota["services.nodeports"]).toBe("0");
    expect(quota["services.loadbalancers"]).toBe("0");
    expect(quota.pods).toBe(String(TIERS[tier].replicas + 1));
    expect(one("LimitRange").spec.limits[0].max).toEqual({
      cpu: TIERS[tier].cpu,
      memory: TIERS[tier].memory,
    });
  });

  test("runs a hardened runtime sized by its tier", async () => {
    const { one } = await render(tier);
    const deployment = one("Deployment");
    expect(deployment.spec.replicas).toBe(TIERS[tier].replicas);
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.resources).toEqual({
      requests: { cpu: TIERS[tier].cpuRequest, memory: TIERS[tier].memoryRequest },
      limits: { cpu: TIERS[tier].cpu, memory: TIERS[tier].memory },
    });
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    expect(container.readinessProbe.httpGet.path).toBe("/healthz");
    expect(container.image).toBe(PLACEHOLDER_PLATFORM.runtimeImage);
    expect(container.image).not.toMatch(/:latest$/);
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }]);
    expect(container.envFrom).toEqual([{ secretRef: { name: one("Secret").metadata.name } }]);
    expect(one("Secret").stringData).toHaveProperty("DATABASE_URL");
    expect(one("ServiceAccount").automountServiceAccountToken).toBe(false);
    expect(one("Service").spec.type).toBe("ClusterIP");
  });

  test("is reachable only through the ingress and reaches only DNS, its database, HTTPS and the platform's trace collector", async () => {
    const { one, objects } = await render(tier);
    const policies = objects.filter((object) => object.kind === "NetworkPolicy");
    expect(one("NetworkPolicy", "default-deny").spec).toEqual({
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
    });
    const ingressPeers = policies
      .flatMap((policy) => policy.spec.ingress ?? [])
      .flatMap((rule: Loose) => rule.from);
    expect(ingressPeers).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } },
    ]);
    const egressPorts = policies
      .flatMap((policy) => policy.spec.egress ?? [])
      .flatMap((rule: Loose) => rule.ports.map((port: Loose) => port.port));
    expect(new Set(egressPorts)).toEqual(new Set([53, 5432, 443, 4318]));
    expect(one("NetworkPolicy", "allow-egress-telemetry").spec.egress[0].to).toEqual([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "websplat-observability" } },
        podSelector: { matchLabels: { "app.kubernetes.io/name": "otel-collector" } },
      },
    ]);
    const https = one("NetworkPolicy", "allow-egress-https").spec.egress[0].to[0].ipBlock;
    expect(https.cidr).toBe("0.0.0.0/0");
    expect(https.except).toEqual(
      expect.arrayContaining(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.169.254/32"]),
    );
    expect(one("NetworkPolicy", "allow-egress-postgres").spec.egress[0].to).toEqual([
      { ipBlock: { cidr: PLACEHOLDER_PLATFORM.postgres.cidr } },
    ]);
    const ingress = one("Ingress");
    expect(ingress.spec.rules[0].host).toBe("acme-studio.websp.lat");
    expect(ingress.spec.ingressClassName).toBe("nginx");
  });

  test("lets the cluster autoscaler move its pods, so idle nodes can go (their emptyDir is scratch)", async () => {
    const { one } = await render(tier);
    const pod = one("Deployment").spec.template;
    expect(pod.metadata.annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"]).toBe("true");
    expect(pod.spec.volumes.every((volume: Loose) => volume.emptyDir)).toBe(true);
  });

  test("owns a Postgres role and schema limited by its tier, and a proxied DNS record", async () => {
    const { resource } = await render(tier);
    const role = resource("postgresql:index/role:Role").inputs as Loose;
    expect(role).toMatchObject({ name: "t_acme_studio", login: true, superuser: false });
    expect(role.connectionLimit).toBe(TIERS[tier].connectionLimit);
    expect(role.password).toBe("[secret]");
    expect(resource("postgresql:index/schema:Schema").inputs).toMatchObject({
      name: "t_acme_studio",
      owner: "t_acme_studio",
    });
    expect(resource("random:index/randomPassword:RandomPassword").inputs).toMatchObject({ length: 40 });
    expect(resource("cloudflare:index/dnsRecord:DnsRecord").inputs).toMatchObject({
      name: "acme-studio.websp.lat",
      type: "CNAME",
      content: PLACEHOLDER_PLATFORM.ingressHostname,
      proxied: true,
    });
    expect(resource("pulumi:providers:kubernetes").inputs.kubeconfig).toBe("[secret]");
  });
});

test("only a tier with two or more replicas gets a PodDisruptionBudget", async () => {
  for (const tier of TIER_NAMES) {
    const { objects } = await render(tier);
    const budgets = objects.filter((object) => object.kind === "PodDisruptionBudget");
    expect(budgets, tier).toHaveLength(TIERS[tier].replicas >= 2 ? 1 : 0);
  }
});

test("a suspended tenant keeps its data and DNS but runs no replicas", async () => {
  const active = await render("studio");
  const suspended = await render("studio", "suspended");
  expect(suspended.one("Deployment").spec.replicas).toBe(0);
  const identity = (resources: DeclaredResource[]) =>
    resources.map((resource) => `${resource.type} ${resource.name}`);
  expect(identity(suspended.resources)).toEqual(identity(active.resources));
  expect(suspended.resource("postgresql:index/schema:Schema").inputs).toEqual(
    active.resource("postgresql:index/schema:Schema").inputs,
  );
  expect(suspended.resource("cloudflare:index/dnsRecord:DnsRecord").inputs).toEqual(
    active.resource("cloudflare:index/dnsRecord:DnsRecord").inputs,
  );
  expect(tenantViolations(suspended.objects)).toEqual([]);
});
