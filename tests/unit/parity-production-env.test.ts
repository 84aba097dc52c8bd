import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, test } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../../control-plane/config.ts";
import { tenantUrl } from "../../tenant-template/index.ts";
import { containerEnvironment, type Declared, renderPlatform } from "../support/platform-render.ts";
import { PRODUCTION_ENV } from "../support/production-env.ts";

/**
 * What the control plane may leave unset in production, each with the default that is right there. Anything
 * else it reads must come from the rendered platform stack, the image, or Kubernetes itself.
 */
const OPTIONAL_IN_PRODUCTION: Record<string, string> = {
  HOST: "0.0.0.0 with the Pulumi driver",
  WEBSPLAT_ROLE: "all: the control plane's own Deployment",
  WEBSPLAT_RETENTION_DAYS: "30 days, the contract",
  WEBSPLAT_RESERVATION_HOURS: "24 h, the contract",
  WEBSPLAT_RECONCILE_RETRIES: "8 retries with backoff",
  WEBSPLAT_IDLE_SECONDS: "local driver only (scale to zero of runtimes on one machine)",
  WEBSPLAT_WORKERS: "8 reconciles at once, bounded by WEBSPLAT_PULUMI_MAX_OPERATIONS",
  WEBSPLAT_RUNTIME_ENTRY: "local driver only",
  WEBSPLAT_S3_ENDPOINT: "AWS S3 of AWS_REGION",
  WEBSPLAT_SITES_BUCKET: "the backup bucket under sites/",
  WEBSPLAT_SITES_TARGET: "cname.<sites domain>",
  WEBSPLAT_DNS_RESOLVER: "the pod's resolver",
  WEBSPLAT_FORMS_PER_MINUTE: "30 per client and site",
  WEBSPLAT_PROBE_INTERVAL_SECONDS: "60 s",
  WEBSPLAT_PROBE_FAILURES: "3 in a row",
  WEBSPLAT_PROBE_TIMEOUT_MS: "5 s",
  WEBSPLAT_SUPPORT_EMAIL: "support@websp.lat",
  OPENAI_BASE_URL: "OpenAI's API",
  OPENAI_MODEL: "the runtime's default model",
  SMTP_URL: "SES is the production transport",
  LOG_LEVEL: "info",
  LOG_FORMAT: "JSON, since a pod's output is not a terminal",
  WEBSPLAT_INGRESS_NAMESPACE: "ingress-nginx",
  WEBSPLAT_INGRESS_CLASS: "nginx, the class infra installs",
  WEBSPLAT_TENANT_DB_CIDR: "the Postgres host alone",
  PULUMI_SECRETS_PROVIDER: "the passphrase encrypts tenant stacks",
  KUBECONFIG: "the pod's ServiceAccount",
  WEBSPLAT_CLUSTER_REBUILT: "set only after a cluster rebuild (docs/deploy.md)",
  WEBSPLAT_CLOUDFLARE_API_URL: "Cloudflare's API",
  WEBSPLAT_MODEL_CALLS_PER_MINUTE: "120 model calls per tenant in any minute",
  WEBSPLAT_MODEL_CONCURRENT_CALLS: "4 open model calls per tenant",
};

/**
 * Known gaps: variables production needs that the rendered platform stack does not set yet. Asserted exactly,
 * so this list must shrink (and the test be edited) when infra sets them.
 */
const KNOWN_GAPS: string[] = [];
/** Known gaps of the same kind for the public sites pool: a Deployment in WEBSPLAT_ROLE=sites. */
const KNOWN_SITES_GAPS: string[] = [];

/** The variables the control-plane image sets itself (its Dockerfile's ENV). */
async function imageEnvironment(): Promise<Record<string, string>> {
  const dockerfile = await readFile(new URL("../../control-plane/Dockerfile", import.meta.url), "utf8");
  const env: Record<string, string> = {};
  for (const [, body = ""] of dockerfile.replace(/\\\n/g, " ").matchAll(/^ENV\s+(.+)$/gm))
    for (const [, key = "", value = ""] of body.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)) env[key] = value;
  return env;
}

/** Problems start naming their variable: the first NAME_IN_CAPITALS of each. */
function problemVariables(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => /\b[A-Z][A-Z0-9_]{2,}\b/.exec(problem)?.[0] ?? problem);
  }
}

/** The zone ids the operator copies from the Cloudflare dashboard over Pulumi.prod.yaml's placeholders. */
const OPERATOR_ZONES = {
  "websplat:cloudflareZoneId": "0123456789abcdef0123456789abcdef",
  "websplat:sitesZoneId": "fedcba9876543210fedcba9876543210",
};

let declared: Declared[] = [];
let controlPlaneEnv: Record<string, string> = {};
let placeholderEnv: Record<string, string> = {};

/** What a pod starts with: the image's ENV, what Kubernetes sets in every pod, then the Deployment's own. */
async function podEnvironment(rendered: Declared[]): Promise<Record<string, string>> {
  const deployment = rendered.find((resource) => resource.name === "websplat-control-plane-deployment");
  if (!deployment) throw new Error("the platform stack declares no control-plane Deployment");
  return {
    ...(await imageEnvironment()),
    KUBERNETES_SERVICE_HOST: "10.100.0.1",
    ...containerEnvironment(rendered, deployment),
  };
}

beforeAll(async () => {
  placeholderEnv = await podEnvironment((await renderPlatform()).declared);
  ({ declared } = await renderPlatform(OPERATOR_ZONES));
  controlPlaneEnv = await podEnvironment(declared);
}, 120_000);

describe("production parity: the control plane's environment as infra renders it", () => {
  test("every variable the control plane reads is set by infra, the image or Kubernetes, or optional with a safe default; the rest are the known gaps", () => {
    const unset = CONFIG_VARIABLES.filter(
      (name) => controlPlaneEnv[name] === undefined && !(name in OPTIONAL_IN_PRODUCTION),
    );
    expect(unset.sort()).toEqual(KNOWN_GAPS);
    // Optional means optional: production mode refuses none of them when they are missing.
    for (const name of Object.keys(OPTIONAL_IN_PRODUCTION)) {
      const { [name]: _unset, ...env } = {
        ...PRODUCTION_ENV,
        WEBSPLAT_DRIVER: "pulumi",
        KUBERNETES_SERVICE_HOST: "10.100.0.1",
      } as Record<string, string>;
      expect(problemVariables(env), name).toEqual([]);
    }
  });

  test("started with exactly that environment, production mode refuses only for the known gaps", () => {
    const refused = [...new Set(problemVariables(controlPlaneEnv))].sort();
    expect(controlPlaneEnv.WEBSPLAT_DRIVER).toBe("pulumi");
    expect(refused).toEqual(KNOWN_GAPS);
    // Filling in just the known gaps makes it start: nothing else is missing.
    const filled: Record<string, string> = Object.fromEntries(
      KNOWN_GAPS.map((name) => [name, PRODUCTION_ENV[name as keyof typeof PRODUCTION_ENV] ?? "x"]),
    );
    expect(problemVariables({ ...controlPlaneEnv, ...filled })).toEqual([]);
  });

  test("the zone-id placeholders of Pulumi.prod.yaml, left unreplaced, stop production mode", () => {
    const refused = problemVariables(placeholderEnv);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((name) => ["CLOUDFLARE_SITES_ZONE_ID", "CLOUDFLARE_ZONE_ID"].includes(name))).toBe(
      true,
    );
  });

  test("the public sites pool runs the same image in WEBSPLAT_ROLE=sites with what that role needs", () => {
    const sites = declared.filter(
      (resource) =>
        resource.type === "kubernetes:apps/v1:Deployment" &&
        containerEnvironment(declared, resource).WEBSPLAT_ROLE === "sites",
    );
    const gaps: string[] = [];
    if (sites.length === 0) gaps.push("no Deployment with WEBSPLAT_ROLE=sites");
    expect(sites.map((deployment) => deployment.name)).toEqual(["websplat-control-plane-sites-deployment"]);
    for (const deployment of sites) {
      const env = { ...containerEnvironment(declared, deployment), KUBERNETES_SERVICE_HOST: "10.100.0.1" };
      for (const name of problemVariables(env)) gaps.push(`sites role: ${name}`);
    }
    expect(gaps).toEqual(KNOWN_SITES_GAPS);
  });

  test("uptime probes run in the control plane's pods: probes on, tenants probed at their public HTTPS address, egress not held by any policy", () => {
    const config = loadConfig(controlPlaneEnv);
    // The Deployment that runs the probe rounds is the full control plane, with its rounds on.
    expect(config.WEBSPLAT_ROLE).toBe("all");
    expect(config.WEBSPLAT_PROBE_INTERVAL_SECONDS).toBeGreaterThan(0);
    // With the Pulumi driver a tenant is probed at the address its owner uses, through Cloudflare and the ingress.
    const publicUrl = new URL(config.publicUrl);
    expect(
      tenantUrl("acme", {
        baseDomain: config.WEBSPLAT_BASE_DOMAIN,
        scheme: publicUrl.protocol === "https:" ? "https" : "http",
        publicPort: Number(publicUrl.port || 443),
      }),
    ).toBe("https://acme.websp.lat");
    // The probes leave the pod for that address: no NetworkPolicy of the control plane's namespace limits egress.
    const deployment = declared.find((resource) => resource.name === "websplat-control-plane-deployment");
    const namespace = deployment?.inputs.metadata.namespace;
    const policies = declared.filter(
      (resource) =>
        resource.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
        resource.inputs.metadata.namespace === namespace,
    );
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) expect(policy.inputs.spec.policyTypes).not.toContain("Egress");
  });
});
