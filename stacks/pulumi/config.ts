import { readFileSync } from "node:fs";
import { StackError } from "../driver.ts";
import { isPinnedImage } from "./guardrails/rules.ts";
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

const BACKEND_SCHEMES = ["s3:", "postgres:", "postgresql:", "file:", "https:", "gs:", "azblob:"];
const SECRETS_PROVIDER_SCHEMES = ["awskms:", "gcpkms:", "azurekeyvault:", "hashivault:"];

/** Every reason the environment cannot run the Pulumi driver, one sentence each (empty when ready). */
export function pulumiConfigProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;
  const backend = value("PULUMI_BACKEND_URL");
  if (!backend) {
    problems.push(
      "PULUMI_BACKEND_URL is not set: point it at the tenant state backend (s3://bucket/prefix or postgres://…).",
    );
  } else if (!BACKEND_SCHEMES.includes(schemeOf(backend))) {
    problems.push(
      `PULUMI_BACKEND_URL "${backend}" is not a Pulumi backend URL (s3://, postgres://, file:// or https://).`,
    );
  }
  const secretsProvider = value("PULUMI_SECRETS_PROVIDER");
  if (!value("PULUMI_CONFIG_PASSPHRASE") && !secretsProvider) {
    problems.push(
      "Neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_SECRETS_PROVIDER is set: stack secrets must be encrypted.",
    );
  } else if (secretsProvider && !SECRETS_PROVIDER_SCHEMES.includes(schemeOf(secretsProvider))) {
    problems.push(
      `PULUMI_SECRETS_PROVIDER "${secretsProvider}" is not a KMS URL (awskms://, gcpkms://, azurekeyvault://, hashivault://).`,
    );
  }
  if (!value("KUBECONFIG") && !value("KUBERNETES_SERVICE_HOST")) {
    problems.push(
      "KUBECONFIG is not set and this is not a pod: give the path of the platform cluster's kubeconfig (in the cluster, the ServiceAccount is used).",
    );
  }
  const operations = value("WEBSPLAT_PULUMI_MAX_OPERATIONS");
  if (operations && !/^[1-9]\d*$/.test(operations)) {
    problems.push(`WEBSPLAT_PULUMI_MAX_OPERATIONS "${operations}" is not a positive whole number.`);
  }
  if (!value("CLOUDFLARE_API_TOKEN")) {
    problems.push(
      "CLOUDFLARE_API_TOKEN is not set: create a token with DNS edit rights on the websp.lat zone.",
    );
  }
  const zone = value("CLOUDFLARE_ZONE_ID");
  if (!zone) problems.push("CLOUDFLARE_ZONE_ID is not set: copy the zone id from the Cloudflare dashboard.");
  else if (!/^[0-9a-f]{32}$/.test(zone))
    problems.push(`CLOUDFLARE_ZONE_ID "${zone}" is not a 32-character hex zone id.`);
  const image = value("WEBSPLAT_RUNTIME_IMAGE");
  if (!image)
    problems.push("WEBSPLAT_RUNTIME_IMAGE is not set: give the agent runtime image pinned by tag or digest.");
  else if (!isPinnedImage(image)) {
    problems.push(
      `WEBSPLAT_RUNTIME_IMAGE "${image}" is not pinned: use a version tag or a digest, never latest.`,
    );
  }
  const ingress = value("WEBSPLAT_INGRESS_HOSTNAME");
  if (!ingress) {
    problems.push(
      "WEBSPLAT_INGRESS_HOSTNAME is not set: give the ingress load balancer's hostname (platform output ingressHostname).",
    );
  } else if (!/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(ingress)) {
    problems.push(`WEBSPLAT_INGRESS_HOSTNAME "${ingress}" is not a hostname.`);
  }
  if (!value("WEBSPLAT_TENANT_DB_HOST")) {
    problems.push(
      "WEBSPLAT_TENANT_DB_HOST is not set: give the Postgres endpoint tenants connect to (platform output databaseHost).",
    );
  }
  const databaseUrl = value("DATABASE_URL");
  if (!databaseUrl) {
    problems.push(
      "DATABASE_URL is not set: the driver needs the admin Postgres connection to create tenant roles.",
    );
  } else if (!["postgres:", "postgresql:"].includes(schemeOf(databaseUrl))) {
    problems.push("DATABASE_URL is not a postgres:// URL.");
  }
  return problems;
}

/** Driver options from the environment (after `pulumiConfigProblems` came back empty). */
export function pulumiDriverOptionsFromEnv(
  env: Record<string, string | undefined>,
  overrides: Partial<PulumiDriverOptions> = {},
): PulumiDriverOptions {
  const problems = pulumiConfigProblems(env);
  if (problems.length > 0) throw new StackError("config_missing", problems.join(" "));
  const kubeconfig = env.KUBECONFIG?.trim();
  const operations = env.WEBSPLAT_PULUMI_MAX_OPERATIONS?.trim();
  return {
    backendUrl: env.PULUMI_BACKEND_URL as string,
    passphrase: env.PULUMI_CONFIG_PASSPHRASE || undefined,
    secretsProvider: env.PULUMI_SECRETS_PROVIDER || undefined,
    // KUBECONFIG is a path by convention; contents are accepted too (secrets managers inject those).
    kubeconfig: !kubeconfig
      ? undefined
      : kubeconfig.includes("apiVersion")
        ? kubeconfig
        : readFileSync(kubeconfig.split(":")[0] as string, "utf8"),
    databaseCaFile: env.PGSSLROOTCERT || undefined,
    policyPack: env.WEBSPLAT_POLICY_PACK || undefined,
    pulumiHome: env.PULUMI_HOME || undefined,
    bakedPluginDir: env.WEBSPLAT_PULUMI_PLUGIN_DIR || undefined,
    clusterRebuilt: env.WEBSPLAT_CLUSTER_REBUILT === "true",
    maxConcurrentUpdates: operations ? Number(operations) : undefined,
    adminDatabaseUrl: env.DATABASE_URL as string,
    cloudflare: { apiToken: env.CLOUDFLARE_API_TOKEN as string, zoneId: env.CLOUDFLARE_ZONE_ID as string },
    ...overrides,
  };
}

function schemeOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:)/i.exec(url);
  return match ? (match[1] as string).toLowerCase() : "";
}
