import type { PulumiSettings } from "../stacks/pulumi/config.ts";
import { isPinnedImage } from "../stacks/pulumi/guardrails/rules.ts";
import type { Environment } from "./config.ts";

/** DESIGN §10: every reason this environment cannot run the Pulumi driver, one sentence each. */
export function pulumiProblems(values: Environment): string[] {
  const problems: string[] = [];
  const backend = values.PULUMI_BACKEND_URL;
  if (!backend) {
    problems.push(
      "PULUMI_BACKEND_URL is not set: point it at the tenant state backend (s3://bucket/prefix or postgres://…).",
    );
  } else if (!BACKEND_SCHEMES.includes(schemeOf(backend))) {
    problems.push(
      `PULUMI_BACKEND_URL "${backend}" is not a Pulumi backend URL (s3://, postgres://, file:// or https://).`,
    );
  }
  const secretsProvider = values.PULUMI_SECRETS_PROVIDER;
  if (!values.PULUMI_CONFIG_PASSPHRASE && !secretsProvider) {
    problems.push(
      "Neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_SECRETS_PROVIDER is set: stack secrets must be encrypted.",
    );
  } else if (secretsProvider && !SECRETS_PROVIDER_SCHEMES.includes(schemeOf(secretsProvider))) {
    problems.push(
      `PULUMI_SECRETS_PROVIDER "${secretsProvider}" is not a KMS URL (awskms://, gcpkms://, azurekeyvault://, hashivault://).`,
    );
  }
  if (!values.KUBECONFIG && !values.KUBERNETES_SERVICE_HOST) {
    problems.push(
      "KUBECONFIG is not set and this is not a pod: give the path of the platform cluster's kubeconfig (in the cluster, the ServiceAccount is used).",
    );
  }
  const operations = values.WEBSPLAT_PULUMI_MAX_OPERATIONS;
  if (operations && !/^[1-9]\d*$/.test(operations)) {
    problems.push(`WEBSPLAT_PULUMI_MAX_OPERATIONS "${operations}" is not a positive whole number.`);
  }
  if (!values.CLOUDFLARE_API_TOKEN) {
    problems.push(
      "CLOUDFLARE_API_TOKEN is not set: create a token with DNS edit rights on the websp.lat zone.",
    );
  }
  const zone = values.CLOUDFLARE_ZONE_ID;
  if (!zone) problems.push("CLOUDFLARE_ZONE_ID is not set: copy the zone id from the Cloudflare dashboard.");
  else if (!/^[0-9a-f]{32}$/.test(zone))
    problems.push(`CLOUDFLARE_ZONE_ID "${zone}" is not a 32-character hex zone id.`);
  const image = values.WEBSPLAT_RUNTIME_IMAGE;
  if (!image)
    problems.push("WEBSPLAT_RUNTIME_IMAGE is not set: give the agent runtime image pinned by tag or digest.");
  else if (!isPinnedImage(image)) {
    problems.push(
      `WEBSPLAT_RUNTIME_IMAGE "${image}" is not pinned: use a version tag or a digest, never latest.`,
    );
  }
  const ingress = values.WEBSPLAT_INGRESS_HOSTNAME;
  if (!ingress) {
    problems.push(
      "WEBSPLAT_INGRESS_HOSTNAME is not set: give the ingress load balancer's hostname (platform output ingressHostname).",
    );
  } else if (!/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(ingress)) {
    problems.push(`WEBSPLAT_INGRESS_HOSTNAME "${ingress}" is not a hostname.`);
  }
  if (!values.WEBSPLAT_TENANT_DB_HOST) {
    problems.push(
      "WEBSPLAT_TENANT_DB_HOST is not set: give the Postgres endpoint tenants connect to (platform output databaseHost).",
    );
  }
  // DATABASE_URL itself is checked with the other variables: here only whether it is there.
  if (!values.DATABASE_URL) {
    problems.push(
      "DATABASE_URL is not set: the driver needs the admin Postgres connection to create tenant roles.",
    );
  }
  return problems;
}

/** The Pulumi driver's settings, once `pulumiProblems` found none. */
export function pulumiSettings(values: Environment): PulumiSettings {
  return {
    backendUrl: values.PULUMI_BACKEND_URL!,
    passphrase: values.PULUMI_CONFIG_PASSPHRASE,
    secretsProvider: values.PULUMI_SECRETS_PROVIDER,
    kubeconfig: values.KUBECONFIG,
    databaseCaFile: values.PGSSLROOTCERT,
    policyPack: values.WEBSPLAT_POLICY_PACK,
    pulumiHome: values.PULUMI_HOME,
    bakedPluginDir: values.WEBSPLAT_PULUMI_PLUGIN_DIR,
    clusterRebuilt: values.WEBSPLAT_CLUSTER_REBUILT === "true",
    maxConcurrentUpdates: values.WEBSPLAT_PULUMI_MAX_OPERATIONS
      ? Number(values.WEBSPLAT_PULUMI_MAX_OPERATIONS)
      : undefined,
    adminDatabaseUrl: values.DATABASE_URL!,
    cloudflare: { apiToken: values.CLOUDFLARE_API_TOKEN!, zoneId: values.CLOUDFLARE_ZONE_ID! },
  };
}

const BACKEND_SCHEMES = ["s3:", "postgres:", "postgresql:", "file:", "https:", "gs:", "azblob:"];
const SECRETS_PROVIDER_SCHEMES = ["awskms:", "gcpkms:", "azurekeyvault:", "hashivault:"];

function schemeOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:)/i.exec(url);
  return match ? (match[1] as string).toLowerCase() : "";
}
