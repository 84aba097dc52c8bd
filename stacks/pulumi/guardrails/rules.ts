import { METADATA_CIDR, PRIVATE_CIDRS } from "../../../tenant-template/network.ts";
import { excludes } from "./cidr.ts";

/**
 * The tenant guardrails (DESIGN §5) as pure functions over Kubernetes objects and Pulumi resource
 * inputs. The tests run them over rendered tenants; `index.ts` serves them as a Pulumi policy pack.
 */

/** A Kubernetes object as applied (the inputs Pulumi sends for a `kubernetes:*` resource). */
export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: objects of every kind are checked by shape.
  spec?: any;
  [field: string]: unknown;
}

export interface Violation {
  /** Stable rule name, e.g. `workload-read-only-root`. */
  rule: string;
  /** `Kind/name` of the offending object, or the resource type. */
  subject: string;
  message: string;
}

/** The port tenants may reach inside private ranges (Postgres). */
export const DATABASE_PORT = 5432;

// biome-ignore lint/suspicious/noExplicitAny: walking untyped Kubernetes objects.
type Loose = any;

function subjectOf(object: KubernetesObject): string {
  return `${object.kind ?? "Object"}/${object.metadata?.name ?? "?"}`;
}

/** Rules that judge one object on its own (usable per resource in a policy pack). */
export function objectViolations(object: KubernetesObject): Violation[] {
  const found: Violation[] = [];
  const report = (rule: string, message: string) => found.push({ rule, subject: subjectOf(object), message });
  switch (object.kind) {
    case "Namespace":
      checkNamespace(object, report);
      break;
    case "ResourceQuota":
      checkQuota(object, report);
      break;
    case "Service":
      if ((object.spec?.type ?? "ClusterIP") !== "ClusterIP") {
        report(
          "service-cluster-ip",
          "Tenant Services must be ClusterIP; traffic enters through the ingress only.",
        );
      }
      break;
    case "ServiceAccount":
      if (object.automountServiceAccountToken !== false) {
        report(
          "service-account-no-token",
          "Set automountServiceAccountToken: false; tenants never talk to the API server.",
        );
      }
      break;
    case "NetworkPolicy":
      checkNetworkPolicy(object, report);
      break;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
      checkPodSpec(object.spec?.template?.spec ?? {}, report);
      break;
    case "Pod":
      checkPodSpec(object.spec ?? {}, report);
      break;
  }
  return found;
}

/** Rules over a whole tenant: every object's own rules plus what must exist together. */
export function tenantViolations(objects: KubernetesObject[]): Violation[] {
  return [...objects.flatMap(objectViolations), ...tenantSetViolations(objects)];
}

/** What must exist together in one tenant (usable as a stack policy). */
export function tenantSetViolations(objects: KubernetesObject[]): Violation[] {
  const found: Violation[] = [];
  const report = (rule: string, subject: string, message: string) => found.push({ rule, subject, message });
  const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);
  const namespaces = ofKind("Namespace");
  if (namespaces.length !== 1) {
    report(
      "tenant-namespace",
      "Namespace",
      `A tenant has exactly one namespace, found ${namespaces.length}.`,
    );
  }
  if (ofKind("ResourceQuota").length === 0)
    report("quota-present", "ResourceQuota", "A tenant needs a ResourceQuota.");
  if (ofKind("LimitRange").length === 0)
    report("limit-range-present", "LimitRange", "A tenant needs a LimitRange.");
  const policies = ofKind("NetworkPolicy");
  if (!policies.some(isDefaultDeny)) {
    report(
      "network-default-deny",
      "NetworkPolicy",
      "A tenant needs a default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules).",
    );
  }
  for (const workload of ofKind("Deployment")) {
    const replicas = workload.spec?.replicas ?? 1;
    const labels: Record<string, string> = workload.spec?.selector?.matchLabels ?? {};
    const budgeted = ofKind("PodDisruptionBudget").some((budget) => {
      const selector: Record<string, string> = budget.spec?.selector?.matchLabels ?? {};
      return Object.entries(selector).every(([key, value]) => labels[key] === value);
    });
    if (replicas >= 2 && !budgeted) {
      report(
        "disruption-budget",
        subjectOf(workload),
        "A workload with 2 or more replicas needs a PodDisruptionBudget selecting it.",
      );
    }
  }
  const namespace = namespaces[0]?.metadata?.name;
  for (const object of objects) {
    if (object.kind !== "Namespace" && namespace && object.metadata?.namespace !== namespace) {
      report("tenant-namespace", subjectOf(object), `Every tenant object lives in namespace ${namespace}.`);
    }
  }
  return found;
}

/** Rules on non-Kubernetes resources of a tenant stack, by Pulumi type token and inputs. */
export function resourceInputViolations(type: string, inputs: Loose, subject = type): Violation[] {
  const found: Violation[] = [];
  const report = (rule: string, message: string) => found.push({ rule, subject, message });
  if (type === "postgresql:index/role:Role") {
    if (inputs.superuser === true || inputs.createRole === true || inputs.createDatabase === true) {
      report(
        "database-role-unprivileged",
        "A tenant role may not be superuser nor create roles or databases.",
      );
    }
    if (typeof inputs.connectionLimit !== "number" || inputs.connectionLimit < 1) {
      report(
        "database-role-connection-limit",
        "A tenant role needs a positive connection limit from its tier.",
      );
    }
  }
  if (type === "cloudflare:index/dnsRecord:DnsRecord" && inputs.proxied !== true) {
    report("dns-proxied", "Tenant DNS records are proxied through Cloudflare so the origin stays hidden.");
  }
  if (type.startsWith("kubernetes:") && inputs && typeof inputs === "object") {
    found.push(...objectViolations(inputs as KubernetesObject));
  }
  return found;
}

type Report = (rule: string, message: string) => void;

function checkNamespace(object: KubernetesObject, report: Report) {
  const labels = object.metadata?.labels ?? {};
  for (const mode of ["enforce", "audit", "warn"]) {
    if (labels[`pod-security.kubernetes.io/${mode}`] !== "restricted") {
      report("namespace-pod-security", `Label pod-security.kubernetes.io/${mode}=restricted is required.`);
    }
  }
  if (!labels["websp.lat/tenant"] || !labels["websp.lat/tier"]) {
    report("namespace-labels", "A tenant namespace carries websp.lat/tenant and websp.lat/tier labels.");
  }
}

function checkQuota(object: KubernetesObject, report: Report) {
  const hard: Record<string, string> = object.spec?.hard ?? {};
  for (const key of ["services.nodeports", "services.loadbalancers"]) {
    if (String(hard[key]) !== "0") report("quota-no-external-services", `The quota must set ${key} to 0.`);
  }
  for (const key of ["limits.cpu", "limits.memory", "pods"]) {
    if (hard[key] === undefined) report("quota-bounds", `The quota must bound ${key}.`);
  }
}

function isDefaultDeny(object: KubernetesObject): boolean {
  const spec = object.spec ?? {};
  const types: string[] = spec.policyTypes ?? [];
  const selectsAll =
    Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 && !spec.podSelector?.matchExpressions;
  return (
    selectsAll &&
    types.includes("Ingress") &&
    types.includes("Egress") &&
    !spec.ingress?.length &&
    !spec.egress?.length
  );
}

function checkNetworkPolicy(object: KubernetesObject, report: Report) {
  for (const rule of (object.spec?.ingress ?? []) as Loose[]) {
    const peers: Loose[] = rule.from ?? [];
    // An ingress rule with no peers admits everyone.
    if (peers.length === 0 || peers.some((peer) => peer.ipBlock || !peer.namespaceSelector)) {
      report(
        "ingress-from-controller-only",
        "Ingress rules may admit only the ingress controller's namespace (a namespaceSelector peer).",
      );
    }
  }
  for (const rule of (object.spec?.egress ?? []) as Loose[]) {
    const ports: Loose[] = rule.ports ?? [];
    const peers: Loose[] = rule.to ?? [];
    if (peers.length === 0)
      report("egress-scoped", "Egress rules name their destinations; an empty `to` allows all.");
    for (const peer of peers) {
      if (!peer.ipBlock) continue;
      const cidr: string = peer.ipBlock.cidr;
      const except: string[] = peer.ipBlock.except ?? [];
      if (!excludes(cidr, except, METADATA_CIDR)) {
        report(
          "egress-no-metadata",
          `Egress to ${cidr} must except ${METADATA_CIDR} (the cloud metadata endpoint).`,
        );
      }
      const reachesPrivate = PRIVATE_CIDRS.some((range) => !excludes(cidr, except, range));
      const databaseOnly = ports.length > 0 && ports.every((port) => port.port === DATABASE_PORT);
      if (reachesPrivate && !databaseOnly) {
        report(
          "egress-no-private-ranges",
          `Egress to ${cidr} reaches private ranges; except them or limit the rule to port ${DATABASE_PORT}.`,
        );
      }
    }
  }
}

function checkPodSpec(pod: Loose, report: Report) {
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) {
    report("workload-no-host-namespaces", "Pods may not share the node's network, PID or IPC namespace.");
  }
  if (pod.automountServiceAccountToken !== false) {
    report("workload-no-token", "Pods set automountServiceAccountToken: false.");
  }
  const podContext = pod.securityContext ?? {};
  for (const volume of (pod.volumes ?? []) as Loose[]) {
    if (!volume.emptyDir && !volume.secret && !volume.configMap && !volume.projected) {
      report(
        "workload-volumes",
        `Volume ${volume.name} must be an emptyDir, secret, configMap or projected volume.`,
      );
    }
  }
  for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])] as Loose[]) {
    const name = container.name ?? "?";
    const context = container.securityContext ?? {};
    const setting = (field: string) => context[field] ?? podContext[field];
    if (setting("runAsNonRoot") !== true || setting("runAsUser") === 0) {
      report("workload-non-root", `Container ${name} must run as non-root (runAsNonRoot: true).`);
    }
    if (context.readOnlyRootFilesystem !== true) {
      report("workload-read-only-root", `Container ${name} needs readOnlyRootFilesystem: true.`);
    }
    if (context.allowPrivilegeEscalation !== false || context.privileged === true) {
      report("workload-no-privilege-escalation", `Container ${name} needs allowPrivilegeEscalation: false.`);
    }
    const dropped: string[] = context.capabilities?.drop ?? [];
    if (!dropped.includes("ALL") || (context.capabilities?.add ?? []).length > 0) {
      report("workload-drop-capabilities", `Container ${name} must drop ALL capabilities and add none.`);
    }
    if (setting("seccompProfile")?.type !== "RuntimeDefault") {
      report("workload-seccomp", `Container ${name} needs seccompProfile RuntimeDefault.`);
    }
    const resources = container.resources ?? {};
    for (const bound of ["requests", "limits"]) {
      if (!resources[bound]?.cpu || !resources[bound]?.memory) {
        report("workload-resources", `Container ${name} needs cpu and memory ${bound}.`);
      }
    }
    if (!container.livenessProbe || !container.readinessProbe) {
      report("workload-probes", `Container ${name} needs liveness and readiness probes.`);
    }
    if (!isPinnedImage(container.image)) {
      report(
        "workload-pinned-image",
        `Container ${name} must use a pinned image tag or digest, not "${container.image}".`,
      );
    }
  }
}

/** An image with a digest, or a tag other than `latest`. */
export function isPinnedImage(image: unknown): boolean {
  if (typeof image !== "string" || image.length === 0) return false;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  return colon > 0 && lastSegment.slice(colon + 1) !== "latest" && lastSegment.slice(colon + 1) !== "";
}
