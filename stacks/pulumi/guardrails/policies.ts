import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { type KubernetesObject, resourceInputViolations, tenantSetViolations } from "./rules.ts";

/**
 * The guardrails as `@pulumi/policy` policies. They judge only tenant resources (a namespace labelled
 * `websp.lat/tenant` or anything inside `t-*`), so the same pack can sit on the platform stack,
 * whose ingress controller legitimately owns a LoadBalancer.
 */

/** Whether a resource belongs to a tenant: its namespace or anything inside a `t-*` namespace. */
export function isTenantResource(type: string, props: Record<string, unknown>): boolean {
  if (!type.startsWith("kubernetes:"))
    return type.startsWith("postgresql:") || type.startsWith("cloudflare:");
  const metadata = (props.metadata ?? {}) as KubernetesObject["metadata"] & object;
  if (type === "kubernetes:core/v1:Namespace") return Boolean(metadata.labels?.["websp.lat/tenant"]);
  return typeof metadata.namespace === "string" && metadata.namespace.startsWith("t-");
}

const perResource: ResourceValidationPolicy = {
  name: "websplat-tenant-resource",
  description: "Each tenant resource is locked down: restricted pods, no external services, scoped egress.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (!isTenantResource(args.type, args.props)) return;
    for (const violation of resourceInputViolations(args.type, args.props, args.name)) {
      reportViolation(`[${violation.rule}] ${violation.subject}: ${violation.message}`);
    }
  },
};

const perTenant: StackValidationPolicy = {
  name: "websplat-tenant-stack",
  description: "A tenant has one namespace with a quota, a limit range, default-deny and disruption budgets.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const objects = args.resources
      .filter((resource: PolicyResource) => isTenantResource(resource.type, resource.props))
      .filter((resource: PolicyResource) => resource.type.startsWith("kubernetes:"))
      .map((resource: PolicyResource) => resource.props as KubernetesObject);
    if (objects.length === 0) return;
    for (const violation of tenantSetViolations(objects)) {
      reportViolation(`[${violation.rule}] ${violation.subject}: ${violation.message}`);
    }
  },
};

export const tenantPolicies = [perResource, perTenant];
