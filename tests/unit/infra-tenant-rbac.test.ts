import { beforeAll, describe, expect, test } from "vitest";
import {
  type DeclaredResource,
  declaredResources,
  PLACEHOLDER_PLATFORM,
} from "../../stacks/pulumi/render.ts";
import { tenantSpec } from "../../tenant-template/index.ts";
import { type Declared, renderPlatform } from "../support/platform-render.ts";

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
/** `apiGroup/resource` as RBAC names it (`""` is the core group). */
type Resource = `${string}/${string}`;

/**
 * What the Kubernetes provider (pulumi-kubernetes v4, `provider/pkg/await/`) reads while it creates, updates and
 * deletes an object, beyond the object itself. Every read below is an informer whose cache must sync before the
 * await goes on (`informers/factory.go`, `Subscribe` → `cache.WaitForCacheSync`): without list and watch it never
 * syncs and the update hangs until its timeout.
 *
 * - every kind, on create, update and delete: its Events (`watchers.go`, `NewEventAggregator`, core/v1 Event),
 *   in the object's namespace, or in every namespace for a cluster-scoped object (`await.go`,
 *   `Factories.ForNamespace(…, outputs.GetNamespace())`);
 * - every kind, on delete: the object's own kind (`condition/deleted.go` through `metadata.DeletedCondition`);
 * - apps/v1 Deployment: deployments, replicasets, pods, persistentvolumeclaims (`deployment.go`, `Await`);
 * - v1 Service: services, endpoints (`service.go`, `Await`);
 * - networking.k8s.io/v1 Ingress: ingresses, endpoints, services (`ingress.go`, `Await`);
 * - v1 Secret, ServiceAccount, ResourceQuota: a poll of the object with get (`awaiters.go`, `watcher.ForObject`).
 */
const AWAITER_READS: Record<string, Resource[]> = {
  "apps/v1/Deployment": ["apps/deployments", "apps/replicasets", "/pods", "/persistentvolumeclaims"],
  "v1/Service": ["/services", "/endpoints"],
  "networking.k8s.io/v1/Ingress": ["networking.k8s.io/ingresses", "/endpoints", "/services"],
};
const WATCH = ["get", "list", "watch"];
/** Server-side apply, reads of refresh and import, replacement and deletion of the object itself. */
const MANAGE = ["get", "list", "watch", "create", "update", "patch", "delete"];

/** `kubernetes:apps/v1:Deployment` → apiVersion `apps/v1`, kind `Deployment`, RBAC resource `apps/deployments`. */
function kindOf(type: string) {
  const [, apiVersion = "", kind = ""] = type.split(":");
  const version = apiVersion.replace(/^core\//, "");
  const group = version.includes("/") ? version.split("/")[0] : "";
  const lower = kind.toLowerCase();
  const plural = lower.endsWith("y")
    ? `${lower.slice(0, -1)}ies`
    : lower.endsWith("s")
      ? `${lower}es`
      : `${lower}s`;
  return {
    id: `${version}/${kind}`,
    resource: `${group}/${plural}` as Resource,
    clusterScoped: kind === "Namespace",
  };
}

/** Every right the provider needs to manage these declared objects, by scope. */
function requiredRights(resources: DeclaredResource[]) {
  const namespaced = new Map<Resource, Set<string>>();
  const cluster = new Map<Resource, Set<string>>();
  const need = (scope: Map<Resource, Set<string>>, resource: Resource, verbs: string[]) => {
    const set = scope.get(resource) ?? new Set<string>();
    for (const verb of verbs) set.add(verb);
    scope.set(resource, set);
  };
  for (const declared of resources.filter((resource) => resource.type.startsWith("kubernetes:"))) {
    const kind = kindOf(declared.type);
    const scope = kind.clusterScoped ? cluster : namespaced;
    need(scope, kind.resource, MANAGE);
    need(scope, "/events", WATCH);
    for (const read of AWAITER_READS[kind.id] ?? []) need(scope, read, WATCH);
  }
  return { namespaced, cluster };
}

function grants(rules: Rule[], resource: Resource, verb: string): boolean {
  const [group, name] = resource.split("/") as [string, string];
  return rules.some(
    (rule) =>
      !rule.resourceNames?.length &&
      (rule.apiGroups.includes(group) || rule.apiGroups.includes("*")) &&
      (rule.resources.includes(name) || rule.resources.includes("*")) &&
      (rule.verbs.includes(verb) || rule.verbs.includes("*")),
  );
}

function missing(rules: Rule[], required: Map<Resource, Set<string>>): string[] {
  return [...required].flatMap(([resource, verbs]) =>
    [...verbs].filter((verb) => !grants(rules, resource, verb)).map((verb) => `${verb} ${resource}`),
  );
}

let tenant: DeclaredResource[];
let platform: Declared[];
beforeAll(async () => {
  // Studio with every optional object (PodDisruptionBudget); the platform's RBAC from the production render.
  const spec = tenantSpec(
    { slug: "acme", tier: "studio", desired: "active", generation: 1, ownerEmail: "owner@example.com" },
    PLACEHOLDER_PLATFORM,
  );
  tenant = await declaredResources(spec);
  ({ declared: platform } = await renderPlatform());
});

const role = (name: string): Rule[] =>
  platform.find((resource) => resource.name === name)?.inputs.rules ?? [];

describe("the control plane may run every tenant update to the end", () => {
  test("the tenant program declares the kinds the awaiter table covers", () => {
    const kinds = new Set(
      tenant.filter((r) => r.type.startsWith("kubernetes:")).map((r) => kindOf(r.type).id),
    );
    for (const kind of Object.keys(AWAITER_READS)) expect(kinds).toContain(kind);
  });

  test("inside a tenant namespace, the tenant-manager role grants what the provider and its awaiters read and write", () => {
    const { namespaced } = requiredRights(tenant);
    // The RoleBinding is created by the provisioner before the role applies; afterwards both hold in the namespace.
    const rules = [
      ...role("websplat-control-plane-identity-tenant-manager"),
      ...role("websplat-control-plane-identity-tenant-provisioner"),
    ];
    expect(missing(rules, namespaced)).toEqual([]);
  });

  test("cluster-wide, the provisioner grants what a tenant Namespace needs: the namespace and its Events in every namespace", () => {
    const { cluster } = requiredRights(tenant);
    expect([...cluster.keys()].sort()).toEqual(["/events", "/namespaces"]);
    expect(missing(role("websplat-control-plane-identity-tenant-provisioner"), cluster)).toEqual([]);
  });
});
