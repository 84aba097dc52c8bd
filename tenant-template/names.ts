/** Names of a tenant's resources (contract, DESIGN §2): pure functions of the slug. */

export const SLUG_PATTERN = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;

export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  "www",
  "api",
  "admin",
  "app",
  "docs",
  "status",
  "mail",
  "static",
  "cdn",
  "assets",
  "dashboard",
  "billing",
  "support",
  "help",
  "blog",
  "auth",
  "login",
  "signup",
  "websplat",
  // Names that would collide with our own infrastructure or confuse customers.
  "localhost",
  "ingress",
  "control",
  "control-plane",
  "grafana",
  "prometheus",
  "metrics",
  "smtp",
  "ftp",
  "ns1",
  "ns2",
  "root",
  "system",
  "kube-system",
  "default",
  "postgres",
  "webhooks",
  "checkout",
  "stripe",
  // Hosts the platform answers on or points at itself: the local sites domain (`sites.localhost`), the
  // custom-domain CNAME target (`cname.<sites domain>`), sign-in, mail and DNS names.
  "sites",
  "cname",
  "signin",
  "account",
  "email",
  "imap",
  "pop",
  "autoconfig",
  "autodiscover",
  "dns",
  "origin",
]);

export type SlugProblem = "malformed" | "double_hyphen" | "reserved";

/** Why a slug cannot be used by anyone, or null when its shape is fine (availability is the registry's question). */
export function slugProblem(slug: string): { code: SlugProblem; message: string } | null {
  if (!SLUG_PATTERN.test(slug)) {
    return {
      code: "malformed",
      message:
        "Use 3 to 32 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.",
    };
  }
  if (slug.includes("--"))
    return { code: "double_hyphen", message: "A slug may not contain two hyphens in a row." };
  if (RESERVED_SLUGS.has(slug))
    return { code: "reserved", message: `"${slug}" is reserved. Please choose another name.` };
  return null;
}

/** Kubernetes namespace of a tenant. */
export function namespaceName(slug: string): string {
  return `t-${slug}`;
}

/** Postgres schema and login role of a tenant (contract): `t_<slug with - replaced by _>`. */
export function databaseName(slug: string): string {
  return `t_${slug.replaceAll("-", "_")}`;
}

/** Pulumi stack of a tenant in project `websplat-tenant`. */
export function stackName(slug: string): string {
  return slug;
}

export const TENANT_PULUMI_PROJECT = "websplat-tenant";

/** The control plane's namespace and ServiceAccount: the identity that manages tenant stacks in the cluster. */
export const CONTROL_PLANE_NAMESPACE = "websplat";
export const CONTROL_PLANE_SERVICE_ACCOUNT = "control-plane";
/** ClusterRole the control plane holds inside each tenant namespace (bound there by the tenant stack). */
export const TENANT_MANAGER_ROLE = "websplat-tenant-manager";

/** Namespace of the platform's trace collector and its OTLP/HTTP port: the one in-cluster place tenants may send to. */
export const OBSERVABILITY_NAMESPACE = "websplat-observability";
export const OTLP_HTTP_PORT = 4318;
