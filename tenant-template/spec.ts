import { databaseName, namespaceName, stackName } from "./names.ts";
import { TIERS, type Tier, type TierName } from "./tiers.ts";

/** The part of a tenant row the template needs. */
export interface TenantInput {
  slug: string;
  tier: TierName;
  /** Desired state; `deleted` never reaches the template (the driver destroys instead). */
  desired: "active" | "suspended";
  /** Generation of the desired state this spec was computed from. */
  generation: number;
  ownerEmail: string;
}

/** What the platform around the tenants looks like; the same for every tenant. */
export interface PlatformInput {
  /** `websp.lat` in production, `localhost` locally. */
  baseDomain: string;
  /** `https` behind the ingress, `http` locally. */
  scheme: "http" | "https";
  /** Port in public URLs when it is not the scheme's default (local mode). */
  publicPort?: number;
  /** Agent runtime image, pinned by tag or digest (never `latest`). */
  runtimeImage: string;
  /** Namespace of the ingress controller: the only source of ingress traffic. */
  ingressNamespace: string;
  /** Ingress class of the controller. */
  ingressClassName: string;
  /** Hostname the tenant's DNS record points at (the ingress load balancer). */
  ingressHostname: string;
  /** The platform Postgres endpoint tenants may reach. */
  postgres: { host: string; port: number; database: string; cidr?: string; sslmode?: "disable" | "require" };
  /** PEM (SPKI) public key that verifies owner sign-in tokens. */
  ownerPublicKey: string;
  /** The model runtimes ask for; they reach it through the platform's proxy, never with the platform's key. */
  model: { model?: string };
}

export interface TenantSpec {
  slug: string;
  tier: TierName;
  limits: Tier;
  suspended: boolean;
  generation: number;
  ownerEmail: string;
  namespace: string;
  /** Postgres schema and login role (the same name). */
  database: {
    schema: string;
    role: string;
    connectionLimit: number;
    host: string;
    port: number;
    name: string;
  };
  hostname: string;
  url: string;
  stack: string;
  labels: Record<string, string>;
  runtime: {
    image: string;
    /** Zero when suspended. */
    replicas: number;
    containerPort: number;
    resources: { cpu: string; memory: string; cpuRequest: string; memoryRequest: string };
    /** Non-secret environment of the runtime (the database URL and platform credentials are secrets the driver adds). */
    env: Record<string, string>;
  };
  ingress: { namespace: string; className: string; hostname: string };
  postgresCidr?: string;
}

/** Port the runtime listens on inside its container. */
export const RUNTIME_PORT = 8080;

/** `<slug>.<base domain>`: the tenant's builder host (DESIGN §7). */
export function tenantHostname(slug: string, platform: Pick<PlatformInput, "baseDomain">): string {
  return `${slug}.${platform.baseDomain}`;
}

/** The tenant's builder address, with the port only when it is not the scheme's default (local mode). */
export function tenantUrl(
  slug: string,
  platform: Pick<PlatformInput, "baseDomain" | "scheme" | "publicPort">,
): string {
  const defaultPort = platform.scheme === "https" ? 443 : 80;
  const port = platform.publicPort && platform.publicPort !== defaultPort ? `:${platform.publicPort}` : "";
  return `${platform.scheme}://${tenantHostname(slug, platform)}${port}`;
}

/** A tenant as the platform should run it: pure, so the local and Pulumi drivers and `stack render` agree. */
export function tenantSpec(tenant: TenantInput, platform: PlatformInput): TenantSpec {
  const limits = TIERS[tenant.tier];
  const suspended = tenant.desired === "suspended";
  const hostname = tenantHostname(tenant.slug, platform);
  const url = tenantUrl(tenant.slug, platform);
  const name = databaseName(tenant.slug);
  return {
    slug: tenant.slug,
    tier: tenant.tier,
    limits,
    suspended,
    generation: tenant.generation,
    ownerEmail: tenant.ownerEmail,
    namespace: namespaceName(tenant.slug),
    database: {
      schema: name,
      role: name,
      connectionLimit: limits.connectionLimit,
      host: platform.postgres.host,
      port: platform.postgres.port,
      name: platform.postgres.database,
    },
    hostname,
    url,
    stack: stackName(tenant.slug),
    labels: {
      "app.kubernetes.io/part-of": "websplat",
      "websp.lat/tenant": tenant.slug,
      "websp.lat/tier": tenant.tier,
    },
    runtime: {
      image: platform.runtimeImage,
      replicas: suspended ? 0 : limits.replicas,
      containerPort: RUNTIME_PORT,
      resources: {
        cpu: limits.cpu,
        memory: limits.memory,
        cpuRequest: limits.cpuRequest,
        memoryRequest: limits.memoryRequest,
      },
      env: runtimeEnv(tenant, platform, url, name),
    },
    ingress: {
      namespace: platform.ingressNamespace,
      className: platform.ingressClassName,
      hostname: platform.ingressHostname,
    },
    postgresCidr: platform.postgres.cidr,
  };
}

/**
 * The runtime's environment (contract between the drivers and `agent-runtime/`).
 * Secrets are not here: drivers add `DATABASE_URL` (the tenant's own role) and the platform's URL and this
 * tenant's credential for it (which also reach the model, through `WEBSPLAT_MODEL_URL`).
 */
function runtimeEnv(
  tenant: TenantInput,
  platform: PlatformInput,
  url: string,
  schema: string,
): Record<string, string> {
  const limits = TIERS[tenant.tier];
  const env: Record<string, string> = {
    WEBSPLAT_TENANT: tenant.slug,
    WEBSPLAT_TIER: tenant.tier,
    WEBSPLAT_PUBLIC_URL: url,
    WEBSPLAT_DB_SCHEMA: schema,
    WEBSPLAT_OWNER_EMAIL: tenant.ownerEmail,
    WEBSPLAT_OWNER_PUBLIC_KEY: platform.ownerPublicKey,
    WEBSPLAT_LIMIT_SITES: String(limits.sites),
    WEBSPLAT_LIMIT_TOKENS_PER_MONTH: String(limits.tokensPerMonth),
  };
  if (platform.model.model) env.OPENAI_MODEL = platform.model.model;
  return env;
}
