import { readFile } from "node:fs/promises";
import * as pulumi from "@pulumi/pulumi";

// biome-ignore lint/suspicious/noExplicitAny: declared inputs are checked by shape.
type Loose = any;

export interface Declared {
  type: string;
  name: string;
  inputs: Loose;
}

/** Secrets the operator sets with `pulumi config set --secret` (placeholders). */
const SECRETS = {
  "websplat:cloudflareApiToken": "cf-token",
  "websplat:databasePassword": "db-password",
  "websplat:stripeSecretKey": "sk_live_x",
  "websplat:stripeWebhookSecret": "whsec_x",
  "websplat:adminToken": "admin-token-of-at-least-24-characters",
  "websplat:ownerSigningKey": "-----BEGIN PRIVATE KEY-----\nplaceholder\n-----END PRIVATE KEY-----",
  "websplat:tenantStatePassphrase": "passphrase",
  "websplat:openaiApiKey": "sk-placeholder",
};
/** Set by the operator for their own account (not in Pulumi.prod.yaml). */
const OPERATOR_CONFIG = {
  "websplat:clusterAdminArns": '["arn:aws:iam::123456789012:role/websplat-ops"]',
  // Pulumi.prod.yaml holds a placeholder for it; the operator sets the real zone id.
  "websplat:cloudflareZoneId": "0123456789abcdef0123456789abcdef",
};
const CLOUDFLARE_RANGES = { ipv4Cidrs: ["173.245.48.0/20"], ipv6Cidrs: ["2400:cb00::/32"] };

function mockState(type: string, name: string, inputs: Loose): Loose {
  switch (type) {
    case "aws:eks/cluster:Cluster":
      return { ...inputs, name, endpoint: "https://eks.example", certificateAuthority: { data: "Y2E=" } };
    case "aws:rds/instance:Instance":
      return { ...inputs, address: "websplat.abc.eu-central-1.rds.amazonaws.com", port: 5432 };
    case "aws:ecr/repository:Repository":
      return { ...inputs, repositoryUrl: `123456789012.dkr.ecr.eu-central-1.amazonaws.com/${inputs.name}` };
    case "aws:s3/bucket:Bucket":
      return { ...inputs, bucket: `${name}-bucket` };
    case "kubernetes:helm.sh/v3:Release":
      return { ...inputs, status: { name: inputs.name, namespace: inputs.namespace ?? "default" } };
    case "kubernetes:core/v1:Service":
      return inputs.spec
        ? inputs
        : {
            status: {
              loadBalancer: { ingress: [{ hostname: "k8s-ingress.elb.eu-central-1.amazonaws.com" }] },
            },
          };
    default:
      return inputs;
  }
}

/**
 * The production platform stack (`infra/index.ts` with `Pulumi.prod.yaml` and the operator's secrets) run with
 * Pulumi mocks: every resource it declares, with its inputs resolved. One render per test file (mocks are global).
 */
export async function renderPlatform(): Promise<Declared[]> {
  const file = (await import("yaml")).parse(
    await readFile(new URL("../../Pulumi.prod.yaml", import.meta.url), "utf8"),
  );
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config as Record<string, unknown>))
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  pulumi.runtime.setAllConfig({ ...config, ...OPERATOR_CONFIG, ...SECRETS }, Object.keys(SECRETS));
  const declared: Declared[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs }) => {
        declared.push({ type, name, inputs });
        return { id: `${name}-id`, state: mockState(type, name, inputs) };
      },
      call: ({ token, inputs }) =>
        token === "cloudflare:index/getIpRanges:getIpRanges" ? CLOUDFLARE_RANGES : inputs,
    },
    "websplat-platform",
    "prod",
  );
  await pulumi.runtime.runInPulumiStack(async () => {
    await import("../../infra/index.ts");
    return undefined;
  });
  await pulumi.runtime.disconnect();
  return declared;
}

/**
 * The environment a Deployment's first container starts with: its `env` values and the keys of every Secret
 * it loads with `envFrom` (values as the Secret declares them).
 */
export function containerEnvironment(declared: Declared[], deployment: Declared): Record<string, string> {
  const container = deployment.inputs.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const secretName = source.secretRef?.name;
    const secret = declared.find(
      (resource) =>
        resource.type === "kubernetes:core/v1:Secret" && resource.inputs.metadata?.name === secretName,
    );
    for (const [key, value] of Object.entries(unsecret(secret?.inputs.stringData) ?? {}))
      env[key] = String(unsecret(value));
  }
  for (const variable of container.env ?? [])
    if (variable.value !== undefined) env[variable.name] = String(variable.value);
  return env;
}

/** The engine's wire form of a secret value, as mocks receive it: `{<signature>: <secret sig>, value}`. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

function unsecret(value: Loose): Loose {
  return value && typeof value === "object" && SECRET_SIGNATURE in value ? value.value : value;
}
