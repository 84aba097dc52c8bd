import { readFileSync } from "node:fs";
import type { StackWorkspaces } from "./workspace.ts";

export interface PulumiDriverOptions {
  /** Where tenant stack state lives: `s3://bucket/prefix`, `postgres://…`, `file://…` or `https://api.pulumi.com`. */
  backendUrl: string;
  /**
   * Passphrase that encrypts stack secrets.
   * @default none: `secretsProvider` must be set
   */
  passphrase?: string;
  /**
   * KMS secrets provider for new stacks, e.g. `awskms://alias/websplat-tenants?region=eu-central-1`.
   * @default the passphrase provider
   */
  secretsProvider?: string;
  /**
   * Kubeconfig contents of the platform cluster.
   * @default none: in-cluster credentials (the control plane's ServiceAccount token and RBAC)
   */
  kubeconfig?: string;
  /**
   * CA bundle file that verifies the admin Postgres certificate (`sslmode=verify-full`), e.g. the RDS bundle.
   * @default `PGSSLROOTCERT`; none: the system store
   */
  databaseCaFile?: string;
  /**
   * Policy pack directory run on every tenant preview and update.
   * @default none (the image sets `WEBSPLAT_POLICY_PACK`)
   */
  policyPack?: string;
  /**
   * `PULUMI_HOME` (writable). Baked plugins are linked into its `plugins` folder at boot.
   * @default `PULUMI_HOME`, else Pulumi's own `~/.pulumi`
   */
  pulumiHome?: string;
  /**
   * Read-only folder of provider plugins baked into the image.
   * @default `WEBSPLAT_PULUMI_PLUGIN_DIR`; none: plugins are installed into PULUMI_HOME at boot
   */
  bakedPluginDir?: string;
  /**
   * The cluster was rebuilt (disaster recovery): Kubernetes objects of the lost cluster are dropped from
   * each stack's state on refresh (`deleteUnreachable`), and every update starts with that refresh.
   * @default false
   */
  clusterRebuilt?: boolean;
  /**
   * Whether a stack lock still held after the retries is stale and may be cancelled. True when the caller
   * serialises operations per tenant (the reconciler's advisory lock), so no live update can hold it.
   * @default true
   */
  breakStaleLocks?: boolean;
  /**
   * HTTP client for the Cloudflare lookups of crash recovery.
   * @default global fetch
   */
  fetch?: typeof fetch;
  /** Admin Postgres connection that creates tenant roles and schemas. */
  adminDatabaseUrl: string;
  /** Cloudflare token (DNS edit) and the zone of the base domain. */
  cloudflare: { apiToken: string; zoneId: string };
  /**
   * Custom domains of tenants' sites in production: Cloudflare for SaaS custom hostnames in the sites zone.
   * @default none: no tenant stack declares a custom hostname
   */
  customDomains?: CustomDomainSource;
  /** Secret environment the platform gives each tenant's runtime (tenant API URL and credentials). */
  runtimeEnv?: (slug: string) => Record<string, string>;
  /**
   * Parent of the per-operation work dirs.
   * @default `<os tmpdir>/websplat-pulumi`
   */
  workRoot?: string;
  /**
   * Longest a single operation may run before it is aborted.
   * @default 900_000 (15 minutes)
   */
  operationTimeoutMs?: number;
  /**
   * On stop, how long running operations may go on before they are aborted (recovered on the next update).
   * @default the operation timeout
   */
  drainTimeoutMs?: number;
  /**
   * Updates running at once across all tenants.
   * @default 4
   */
  maxConcurrentUpdates?: number;
  /**
   * Tries when another update holds the stack, before giving up with `concurrent_update`.
   * @default 3
   */
  concurrentUpdateAttempts?: number;
  /**
   * Wait between those tries.
   * @default 10_000
   */
  retryDelayMs?: number;
  /**
   * The Automation API behind a seam.
   * @default automationWorkspaces()
   */
  workspaces?: StackWorkspaces;
}

/** Where the driver learns a tenant's custom domains, asked before every update and preview. */
export interface CustomDomainSource {
  /** Cloudflare zone of the sites domain (`CLOUDFLARE_SITES_ZONE_ID`), where the custom hostnames are made. */
  sitesZoneId: string;
  /** Hostnames whose ownership the control plane verified for this tenant (TXT token and CNAME checked). */
  hostnames(slug: string): Promise<string[]>;
  /** Domains of the platform itself, never a customer's. @default none */
  platformDomains?: string[];
}

/**
 * The driver's settings as the control plane's configuration parsed and checked them (`control-plane/config.ts`):
 * every variable is read once, there.
 */
export type PulumiSettings = Pick<
  PulumiDriverOptions,
  | "backendUrl"
  | "passphrase"
  | "secretsProvider"
  | "databaseCaFile"
  | "policyPack"
  | "pulumiHome"
  | "bakedPluginDir"
  | "clusterRebuilt"
  | "adminDatabaseUrl"
  | "cloudflare"
> & {
  /** `KUBECONFIG`: a path by convention, or the contents themselves (secrets managers inject those). */
  kubeconfig?: string;
  /** `WEBSPLAT_PULUMI_MAX_OPERATIONS`. */
  maxConcurrentUpdates?: number;
};

/** Driver options from its settings, with the kubeconfig read when a path was given. */
export function pulumiDriverOptions(
  settings: PulumiSettings,
  overrides: Partial<PulumiDriverOptions> = {},
): PulumiDriverOptions {
  const { kubeconfig } = settings;
  return {
    ...settings,
    kubeconfig: !kubeconfig
      ? undefined
      : kubeconfig.includes("apiVersion")
        ? kubeconfig
        : readFileSync(kubeconfig.split(":")[0] as string, "utf8"),
    ...overrides,
  };
}
