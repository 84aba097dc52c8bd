import { beforeAll, describe, expect, test } from "vitest";
import { cidrContains, excludes } from "../../stacks/pulumi/guardrails/cidr.ts";
import { isTenantResource, tenantPolicies } from "../../stacks/pulumi/guardrails/policies.ts";
import {
  isPinnedImage,
  type KubernetesObject,
  resourceInputViolations,
  tenantViolations,
} from "../../stacks/pulumi/guardrails/rules.ts";
import { declaredResources, kubernetesObjects, PLACEHOLDER_PLATFORM } from "../../stacks/pulumi/render.ts";
import { tenantSpec } from "../../tenant-template/spec.ts";

// biome-ignore lint/suspicious/noExplicitAny: objects are edited by shape to break one rule at a time.
type Loose = any;

let rendered: Loose[] = [];

beforeAll(async () => {
  const spec = tenantSpec(
    { slug: "acme", tier: "studio", desired: "active", generation: 1, ownerEmail: "owner@example.com" },
    PLACEHOLDER_PLATFORM,
  );
  rendered = kubernetesObjects(await declaredResources(spec));
});

/** The rendered tenant with one object edited; the rules that fire. */
function rulesBrokenBy(kind: string, edit: (object: Loose) => void, name?: string): string[] {
  const objects = structuredClone(rendered);
  const target = objects.find((object) => object.kind === kind && (!name || object.metadata.name === name));
  edit(target);
  return [...new Set(tenantViolations(objects as KubernetesObject[]).map((violation) => violation.rule))];
}

const container = (deployment: Loose) => deployment.spec.template.spec.containers[0];

describe("the tenant guardrails", () => {
  test("pass for the tenant as rendered", () => {
    expect(tenantViolations(rendered)).toEqual([]);
  });

  test.each([
    [
      "a root container",
      (d: Loose) => Object.assign(container(d).securityContext, { runAsNonRoot: false }),
      "workload-non-root",
    ],
    [
      "a writable root filesystem",
      (d: Loose) => (container(d).securityContext.readOnlyRootFilesystem = false),
      "workload-read-only-root",
    ],
    [
      "privilege escalation",
      (d: Loose) => (container(d).securityContext.allowPrivilegeEscalation = true),
      "workload-no-privilege-escalation",
    ],
    [
      "an added capability",
      (d: Loose) => (container(d).securityContext.capabilities.add = ["NET_ADMIN"]),
      "workload-drop-capabilities",
    ],
    [
      "no seccomp profile",
      (d: Loose) => {
        delete container(d).securityContext.seccompProfile;
        delete d.spec.template.spec.securityContext.seccompProfile;
      },
      "workload-seccomp",
    ],
    ["missing limits", (d: Loose) => delete container(d).resources.limits, "workload-resources"],
    ["missing probes", (d: Loose) => delete container(d).readinessProbe, "workload-probes"],
    [
      "a latest image",
      (d: Loose) => (container(d).image = "registry.example/runtime:latest"),
      "workload-pinned-image",
    ],
    [
      "a hostPath volume",
      (d: Loose) => d.spec.template.spec.volumes.push({ name: "host", hostPath: { path: "/" } }),
      "workload-volumes",
    ],
    [
      "host networking",
      (d: Loose) => (d.spec.template.spec.hostNetwork = true),
      "workload-no-host-namespaces",
    ],
  ])("reject a Deployment with %s", (_what, edit, rule) => {
    expect(rulesBrokenBy("Deployment", edit)).toContain(rule);
  });

  test("reject a namespace that does not enforce the restricted Pod Security level", () => {
    const broken = rulesBrokenBy(
      "Namespace",
      (ns) => delete ns.metadata.labels["pod-security.kubernetes.io/enforce"],
    );
    expect(broken).toEqual(["namespace-pod-security"]);
  });

  test("reject a quota that allows node ports or load balancers", () => {
    expect(rulesBrokenBy("ResourceQuota", (q) => (q.spec.hard["services.loadbalancers"] = "1"))).toEqual([
      "quota-no-external-services",
    ]);
  });

  test("reject a LoadBalancer Service and a token-mounting ServiceAccount", () => {
    expect(rulesBrokenBy("Service", (s) => (s.spec.type = "LoadBalancer"))).toEqual(["service-cluster-ip"]);
    expect(rulesBrokenBy("ServiceAccount", (s) => delete s.automountServiceAccountToken)).toEqual([
      "service-account-no-token",
    ]);
  });

  test("reject egress that reaches the metadata endpoint or private ranges", () => {
    const opened = rulesBrokenBy(
      "NetworkPolicy",
      (p) => (p.spec.egress[0].to[0].ipBlock.except = []),
      "allow-egress-https",
    );
    expect(opened).toEqual(expect.arrayContaining(["egress-no-metadata", "egress-no-private-ranges"]));
  });

  test("reject ingress from anywhere but the controller's namespace", () => {
    const broken = rulesBrokenBy(
      "NetworkPolicy",
      (p) => p.spec.ingress[0].from.push({ ipBlock: { cidr: "0.0.0.0/0" } }),
      "allow-ingress-controller",
    );
    expect(broken).toEqual(["ingress-from-controller-only"]);
  });

  test("require default-deny and a disruption budget for replicated workloads", () => {
    const objects = structuredClone(rendered).filter(
      (object: Loose) => object.metadata.name !== "default-deny" && object.kind !== "PodDisruptionBudget",
    );
    const rules = tenantViolations(objects).map((violation) => violation.rule);
    expect(rules).toEqual(expect.arrayContaining(["network-default-deny", "disruption-budget"]));
  });

  test("check database roles and DNS records of a tenant stack", () => {
    const role = { name: "t_acme", login: true, connectionLimit: 0, superuser: true };
    const rules = resourceInputViolations("postgresql:index/role:Role", role).map(
      (violation) => violation.rule,
    );
    expect(rules).toEqual(["database-role-unprivileged", "database-role-connection-limit"]);
    expect(resourceInputViolations("cloudflare:index/dnsRecord:DnsRecord", { proxied: false })).toHaveLength(
      1,
    );
  });

  test("know a pinned image and CIDR containment", () => {
    expect(isPinnedImage("ghcr.io/websplat/agent-runtime:1.4.2")).toBe(true);
    expect(isPinnedImage(`ghcr.io/websplat/agent-runtime@sha256:${"a".repeat(64)}`)).toBe(true);
    expect(isPinnedImage("localhost:5000/agent-runtime")).toBe(false);
    expect(isPinnedImage("agent-runtime:latest")).toBe(false);
    expect(cidrContains("169.254.0.0/16", "169.254.169.254/32")).toBe(true);
    expect(excludes("0.0.0.0/0", ["10.0.0.0/8"], "10.1.0.0/16")).toBe(true);
    expect(excludes("10.0.64.0/20", [], "169.254.169.254/32")).toBe(true);
  });
});

/** The Pulumi type token of a Kubernetes object, e.g. `kubernetes:core/v1:Namespace`. */
function pulumiType(object: Loose): string {
  const apiVersion: string = object.apiVersion;
  const groupVersion = apiVersion.includes("/") ? apiVersion.replace(".k8s.io", "") : `core/${apiVersion}`;
  return `kubernetes:${groupVersion}:${object.kind}`;
}

describe("the policy pack", () => {
  const [perResource, perTenant] = tenantPolicies as Loose[];

  test("judges only tenant resources, so the platform's own load balancer is left alone", () => {
    const platformService = { kind: "Service", metadata: { name: "ingress", namespace: "ingress-nginx" } };
    expect(isTenantResource("kubernetes:core/v1:Service", platformService)).toBe(false);
    expect(isTenantResource("kubernetes:core/v1:Service", { metadata: { namespace: "t-acme" } })).toBe(true);
  });

  test("reports a tenant resource's violations through the Pulumi policy interface", () => {
    const reported: string[] = [];
    const service = {
      kind: "Service",
      metadata: { name: "agent-runtime", namespace: "t-acme" },
      spec: { type: "NodePort" },
    };
    perResource.validateResource(
      { type: "kubernetes:core/v1:Service", props: service, name: "acme-runtime-service" },
      (message: string) => reported.push(message),
    );
    expect(reported).toEqual([expect.stringContaining("[service-cluster-ip]")]);
  });

  test("reports a tenant stack missing its default-deny policy", () => {
    const reported: string[] = [];
    const resources = rendered
      .filter((object: Loose) => object.metadata.name !== "default-deny")
      .map((object: Loose) => ({ type: pulumiType(object), props: object }));
    perTenant.validateStack({ resources }, (message: string) => reported.push(message));
    expect(reported).toEqual([expect.stringContaining("[network-default-deny]")]);
  });
});
