import { readFile } from "node:fs/promises";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

// biome-ignore lint/suspicious/noExplicitAny: declared inputs are compared by shape.
export type Loose = any;

export interface Declared {
  type: string;
  name: string;
  inputs: Loose;
}

/** Set by the operator per stack (`pulumi config set --secret`): the same shape for both. */
const SECRETS = {
  "websplat:cloudflareApiToken": "cf-token",
  "websplat:databasePassword": "db-password",
  "websplat:stripeSecretKey": "sk_x",
  "websplat:stripeWebhookSecret": "whsec_x",
  "websplat:adminToken": "admin-token",
  "websplat:ownerSigningKey": "-----BEGIN PRIVATE KEY-----\nplaceholder\n-----END PRIVATE KEY-----",
  "websplat:tenantStatePassphrase": "passphrase",
};

export async function stackConfig(stack: string): Promise<Record<string, string>> {
  const file = parse(await readFile(new URL(`../../Pulumi.${stack}.yaml`, import.meta.url), "utf8"));
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config as Record<string, unknown>))
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  return { ...config, ...SECRETS };
}

function mockState(type: string, name: string, inputs: Loose): Loose {
  switch (type) {
    case "aws:eks/cluster:Cluster":
      return { ...inputs, name, endpoint: "https://eks.example", certificateAuthority: { data: "Y2E=" } };
    case "aws:rds/instance:Instance":
      return { ...inputs, address: "websplat.rds.example", port: 5432 };
    case "aws:ecr/repository:Repository":
      return { ...inputs, repositoryUrl: `123456789012.dkr.ecr.example/${inputs.name}` };
    case "kubernetes:core/v1:Service":
      return inputs.spec ? inputs : { status: { loadBalancer: { ingress: [{ hostname: "lb.example" }] } } };
    default:
      return inputs;
  }
}

let renders = 0;

/** Every resource the platform program declares for `stack`, rendered with mocks. */
export async function renderPlatform(stack: string, extra: Record<string, string> = {}): Promise<Declared[]> {
  const declared: Declared[] = [];
  pulumi.runtime.setAllConfig({ ...(await stackConfig(stack)), ...extra }, Object.keys(SECRETS));
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs }) => {
        declared.push({ type, name, inputs });
        return { id: `${name}-id`, state: mockState(type, name, inputs) };
      },
      call: ({ token, inputs }) =>
        token === "cloudflare:index/getIpRanges:getIpRanges" ? { ipv4Cidrs: [], ipv6Cidrs: [] } : inputs,
    },
    "websplat-platform",
    stack,
  );
  await pulumi.runtime.runInPulumiStack(async () => {
    // A fresh instance of the program per stack (the query makes it another module).
    const program = `../../infra/index.ts?stack=${stack}&render=${++renders}`;
    await import(/* @vite-ignore */ program);
    return undefined;
  });
  await pulumi.runtime.disconnect();
  return declared;
}
