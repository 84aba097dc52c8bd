import { readFile } from "node:fs/promises";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

// biome-ignore lint/suspicious/noExplicitAny: declared inputs are checked by shape.
type Loose = any;

/** One resource the platform program declared under mocks. */
export interface Declared {
  type: string;
  name: string;
  inputs: Loose;
}

/** What the operator sets with `pulumi config set --secret` (docs/deploy.md §3). */
export const PLATFORM_SECRETS = {
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
export const OPERATOR_CONFIG = {
  "websplat:clusterAdminArns": '["arn:aws:iam::123456789012:role/websplat-ops"]',
  "websplat:clusterApiCidrs": '["203.0.113.0/24"]',
};

/** What Cloudflare's API answers for its edge ranges (a subset, shaped as the provider returns it). */
export const CLOUDFLARE_RANGES = {
  ipv4Cidrs: ["173.245.48.0/20", "103.21.244.0/22", "104.16.0.0/13"],
  ipv6Cidrs: ["2400:cb00::/32", "2606:4700::/32"],
};
/** Easy DKIM's three selectors, as SES answers them for a new domain identity. */
export const DKIM_TOKENS = ["dkimaaaa", "dkimbbbb", "dkimcccc"];

/** A stack's config file, as the engine would hand it to the program (secrets set by the operator). */
export async function stackConfig(stack: string): Promise<Record<string, string>> {
  const file = parse(await readFile(new URL(`../../Pulumi.${stack}.yaml`, import.meta.url), "utf8"));
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config as Record<string, unknown>)) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { ...config, ...OPERATOR_CONFIG, ...PLATFORM_SECRETS };
}

/** The production config file, as the engine would hand it to the program. */
export function productionConfig(): Promise<Record<string, string>> {
  return stackConfig("prod");
}

/** Outputs a real provider would compute, so dependent inputs are filled in. */
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
    case "aws:sesv2/emailIdentity:EmailIdentity":
      return {
        ...inputs,
        arn: `arn:aws:ses:eu-central-1:123456789012:identity/${inputs.emailIdentity}`,
        dkimSigningAttributes: { tokens: DKIM_TOKENS },
      };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: `${name}-${"x".repeat(inputs.length)}`.slice(0, inputs.length) };
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

export interface PlatformRender {
  declared: Declared[];
  /** Options each resource was declared with (dependsOn, ignoreChanges), by name. */
  options: Map<string, pulumi.CustomResourceOptions>;
  /** Names of resources, for reading `dependsOn`. */
  names: WeakMap<pulumi.Resource, string>;
  outputs: Record<string, unknown>;
}

let renders = 0;

/**
 * Runs the platform program (`infra/index.ts`) under Pulumi mocks with the production config (or `base`) and
 * `overrides`, as stack `stack`. Each render evaluates a fresh instance of the program.
 */
export async function renderPlatform(
  overrides: Record<string, string> = {},
  base: Record<string, string> | "production" = "production",
  stack = "prod",
): Promise<PlatformRender> {
  const declared: Declared[] = [];
  const options = new Map<string, pulumi.CustomResourceOptions>();
  const names = new WeakMap<pulumi.Resource, string>();
  const config = base === "production" ? await productionConfig() : base;
  pulumi.runtime.setAllConfig({ ...config, ...overrides }, Object.keys(PLATFORM_SECRETS));
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
    stack,
  );
  // Inside a root stack, so a stack transformation sees every resource's options.
  let program: Record<string, unknown> = {};
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      names.set(args.resource, args.name);
      options.set(args.name, args.opts as pulumi.CustomResourceOptions);
      return undefined;
    });
    // A fresh instance of the program per render (the query makes it another module).
    const module = `../../infra/index.ts?stack=${stack}&render=${++renders}`;
    program = { ...(await import(/* @vite-ignore */ module)) };
    return undefined;
  });
  const read = (value: unknown) =>
    new Promise((resolve) => {
      if (value === undefined) resolve(undefined);
      else (pulumi.output(value) as pulumi.Output<unknown>).apply(resolve);
    });
  const outputs = Object.fromEntries(
    await Promise.all(Object.entries(program).map(async ([key, value]) => [key, await read(value)] as const)),
  );
  await pulumi.runtime.disconnect();
  return { declared, options, names, outputs };
}

/** Plain value of a possibly secret input. */
export function unsecret(value: Loose): Loose {
  return value && typeof value === "object" && "4dabf18193072939515e22adb298388d" in value
    ? value.value
    : value;
}

/**
 * The environment the platform gives the control plane's container: the Deployment's `env` and the keys of the
 * Secret it reads with `envFrom`, as rendered from the production config (plus the operator's `config`).
 */
export async function renderedControlPlaneEnv(
  config: Record<string, string> = {},
): Promise<Record<string, string>> {
  const { declared } = await renderPlatform(config);
  const named = (name: string) => declared.find((resource) => resource.name === name)?.inputs;
  const container = named("websplat-control-plane-deployment").spec.template.spec.containers[0];
  const env = Object.fromEntries(container.env.map((entry: Loose) => [entry.name, String(entry.value)]));
  const secret = unsecret(named("websplat-control-plane-secret").stringData) as Record<string, unknown>;
  const secrets = Object.fromEntries(
    Object.entries(secret).map(([key, value]) => [key, String(unsecret(value))]),
  );
  return { ...secrets, ...env };
}
/** The environment of a rendered Deployment's first container: its Secret's keys, then its literal variables. */
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
