import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ConfigError, loadConfig } from "../../control-plane/config.ts";
import { pulumiDriverOptions } from "../../stacks/pulumi/index.ts";
import { PRODUCTION_ENV } from "../support/production-env.ts";

/** What start reports for this environment with the Pulumi driver: one sentence per problem. */
function pulumiConfigProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig({ ...env, WEBSPLAT_DRIVER: "pulumi" });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
}

/** The driver's options as start builds them from the parsed configuration. */
function pulumiDriverOptionsFromEnv(env: Record<string, string | undefined>) {
  const { pulumi } = loadConfig({ ...env, WEBSPLAT_DRIVER: "pulumi" });
  if (!pulumi) throw new Error("the Pulumi driver got no settings");
  return pulumiDriverOptions(pulumi);
}

const READY = PRODUCTION_ENV;

test("a complete production environment has no problems", () => {
  expect(pulumiConfigProblems(READY)).toEqual([]);
});

test("an empty environment names every missing variable in its own sentence", () => {
  const problems = pulumiConfigProblems({});
  for (const name of [
    "PULUMI_BACKEND_URL",
    "PULUMI_CONFIG_PASSPHRASE",
    "KUBECONFIG",
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_ZONE_ID",
    "WEBSPLAT_RUNTIME_IMAGE",
    "WEBSPLAT_INGRESS_HOSTNAME",
    "WEBSPLAT_TENANT_DB_HOST",
    "DATABASE_URL",
  ]) {
    expect(
      problems.filter((problem) => problem.includes(name)),
      name,
    ).toHaveLength(1);
  }
  expect(problems.every((problem) => problem.endsWith("."))).toBe(true);
});

test("a KMS secrets provider replaces the passphrase; invalid values are named", () => {
  const kms = {
    ...READY,
    PULUMI_CONFIG_PASSPHRASE: undefined,
    PULUMI_SECRETS_PROVIDER: "awskms://alias/websplat",
  };
  expect(pulumiConfigProblems(kms)).toEqual([]);
  const wrong = pulumiConfigProblems({
    ...READY,
    PULUMI_BACKEND_URL: "ftp://state",
    CLOUDFLARE_ZONE_ID: "websp.lat",
    WEBSPLAT_RUNTIME_IMAGE: "websplat/agent-runtime:latest",
  });
  expect(wrong).toHaveLength(3);
  expect(wrong.join(" ")).toMatch(/not pinned/);
  // A malformed admin connection is refused like any bad variable, with the Pulumi driver or without.
  expect(pulumiConfigProblems({ ...READY, DATABASE_URL: "mysql://x" })).toEqual([
    "Invalid DATABASE_URL: must be a postgres:// URL. See .env.example.",
  ]);
});

test("start names everything the Pulumi driver still needs in one line", () => {
  expect(() => loadConfig({ WEBSPLAT_DRIVER: "pulumi" })).toThrow(
    /^WEBSPLAT_DRIVER=pulumi needs more configuration: PULUMI_BACKEND_URL is not set: .*DATABASE_URL is not set: [^\n]*\.$/,
  );
  expect(loadConfig({ ...READY, WEBSPLAT_DRIVER: "local", CLOUDFLARE_ZONE_ID: "x" }).pulumi).toBeNull();
});

test("driver options come from the environment, reading KUBECONFIG as a path", async () => {
  const dir = await mkdtemp(join(tmpdir(), "websplat-kubeconfig-"));
  try {
    const path = join(dir, "config");
    await writeFile(path, "apiVersion: v1\nclusters: []\n");
    const options = pulumiDriverOptionsFromEnv({ ...READY, KUBECONFIG: path, OPENAI_API_KEY: "sk-1" });
    expect(options).toMatchObject({
      backendUrl: READY.PULUMI_BACKEND_URL,
      passphrase: READY.PULUMI_CONFIG_PASSPHRASE,
      kubeconfig: "apiVersion: v1\nclusters: []\n",
      adminDatabaseUrl: READY.DATABASE_URL,
      cloudflare: { apiToken: "cf-token", zoneId: READY.CLOUDFLARE_ZONE_ID },
    });
    // The platform's model key stays in the control plane: tenant stacks reach the model through its proxy.
    expect(JSON.stringify(options)).not.toContain("sk-1");
    expect(() => pulumiDriverOptionsFromEnv({})).toThrow(ConfigError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("in a pod KUBECONFIG may be unset: the driver then uses the ServiceAccount, with the image's Pulumi settings", () => {
  const { KUBECONFIG: _unset, ...inPod } = READY;
  expect(pulumiConfigProblems(inPod)).toEqual([expect.stringContaining("KUBECONFIG is not set")]);
  const env = {
    ...inPod,
    KUBERNETES_SERVICE_HOST: "10.100.0.1",
    PULUMI_HOME: "/data/pulumi",
    WEBSPLAT_PULUMI_PLUGIN_DIR: "/opt/pulumi/plugins",
    WEBSPLAT_POLICY_PACK: "/app/stacks/pulumi/guardrails",
    WEBSPLAT_PULUMI_MAX_OPERATIONS: "3",
    PGSSLROOTCERT: "/etc/ssl/certs/rds-global-bundle.pem",
  };
  expect(pulumiConfigProblems(env)).toEqual([]);
  expect(pulumiDriverOptionsFromEnv(env)).toMatchObject({
    kubeconfig: undefined,
    pulumiHome: "/data/pulumi",
    bakedPluginDir: "/opt/pulumi/plugins",
    policyPack: "/app/stacks/pulumi/guardrails",
    maxConcurrentUpdates: 3,
    databaseCaFile: "/etc/ssl/certs/rds-global-bundle.pem",
  });
  expect(pulumiConfigProblems({ ...env, WEBSPLAT_PULUMI_MAX_OPERATIONS: "lots" })).toEqual([
    'WEBSPLAT_PULUMI_MAX_OPERATIONS "lots" is not a positive whole number.',
  ]);
});
