import { readFile } from "node:fs/promises";
import * as pulumi from "@pulumi/pulumi";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { Service } from "kubernetes-models/v1/Service";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";

// biome-ignore lint/suspicious/noExplicitAny: declared inputs are checked by shape.
type Loose = any;

interface Declared {
  type: string;
  name: string;
  inputs: Loose;
}

const SECRETS = {
  "websplat:cloudflareApiToken": "cf-token",
  "websplat:databasePassword": "db-password",
  "websplat:stripeSecretKey": "sk_live_x",
  "websplat:stripeWebhookSecret": "whsec_x",
  "websplat:adminToken": "admin-token",
  "websplat:ownerSigningKey": "-----BEGIN PRIVATE KEY-----\nplaceholder\n-----END PRIVATE KEY-----",
  "websplat:tenantStatePassphrase": "passphrase",
};

const declared: Declared[] = [];
let outputs: Record<string, unknown> = {};

/** The production config file, as the engine would hand it to the program (secrets set by the operator). */
async function productionConfig(): Promise<Record<string, string>> {
  const file = parse(await readFile(new URL("../../Pulumi.prod.yaml", import.meta.url), "utf8"));
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.config as Record<string, unknown>)) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { ...config, ...SECRETS };
}

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

beforeAll(async () => {
  pulumi.runtime.setAllConfig(await productionConfig(), Object.keys(SECRETS));
  await pulumi.runtime.setMocks(
    {
      newResource: ({ type, name, inputs }) => {
        declared.push({ type, name, inputs });
        return { id: `${name}-id`, state: mockState(type, name, inputs) };
      },
      call: ({ inputs }) => inputs,
    },
    "websplat-platform",
    "prod",
  );
  const program = await import("../../infra/index.ts");
  const read = (value: unknown) =>
    new Promise((resolve) => {
      (pulumi.output(value) as pulumi.Output<unknown>).apply(resolve);
    });
  outputs = Object.fromEntries(
    await Promise.all(Object.entries(program).map(async ([key, value]) => [key, await read(value)] as const)),
  );
  await pulumi.runtime.disconnect();
});

const ofType = (type: string) => declared.filter((resource) => resource.type === type);
const one = (type: string) => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]?.inputs;
};

describe("the production platform stack", () => {
  test("exports what tenant stacks need", () => {
    expect(outputs).toMatchObject({
      databaseHost: "websplat.abc.eu-central-1.rds.amazonaws.com",
      databasePort: 5432,
      ingressHostname: "k8s-ingress.elb.eu-central-1.amazonaws.com",
      ingressNamespace: "ingress-nginx",
      zoneId: expect.any(String),
      tenantBackendUrl: expect.stringMatching(/^s3:\/\/.+\/websplat-tenant\?region=eu-central-1$/),
      runtimeImage: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/websplat/agent-runtime:1.0.0",
    });
    expect(JSON.parse(outputs.kubeconfig as string)).toMatchObject({ kind: "Config" });
  });

  test("builds an EKS cluster whose network plugin enforces NetworkPolicies", () => {
    expect(one("aws:eks/cluster:Cluster").version).toBe("1.33");
    expect(one("aws:eks/nodeGroup:NodeGroup").scalingConfig).toEqual({
      minSize: 3,
      desiredSize: 3,
      maxSize: 12,
    });
    expect(JSON.parse(one("aws:eks/addon:Addon").configurationValues)).toEqual({
      enableNetworkPolicy: "true",
    });
    expect(ofType("aws:ec2/subnet:Subnet")).toHaveLength(6);
  });

  test("runs a private, encrypted, backed-up PostgreSQL", () => {
    expect(one("aws:rds/instance:Instance")).toMatchObject({
      engine: "postgres",
      publiclyAccessible: false,
      storageEncrypted: true,
      backupRetentionPeriod: 14,
      deletionProtection: true,
      multiAz: true,
    });
    const firewall = one("aws:ec2/securityGroup:SecurityGroup");
    expect(firewall.ingress).toEqual([
      expect.objectContaining({ fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"] }),
    ]);
  });

  test("keeps tenant backups versioned, encrypted and expiring, and images immutable", () => {
    const versioning = ofType("aws:s3/bucketVersioning:BucketVersioning");
    expect(versioning.length).toBeGreaterThanOrEqual(1);
    expect(versioning.every((bucket) => bucket.inputs.versioningConfiguration.status === "Enabled")).toBe(
      true,
    );
    expect(
      one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules[0],
    ).toMatchObject({ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } });
    expect(
      one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules[0].expiration,
    ).toEqual({
      days: 90,
    });
    const repositories = ofType("aws:ecr/repository:Repository").map((repository) => repository.inputs);
    expect(repositories.map((repository) => repository.name).sort()).toEqual([
      "websplat/agent-runtime",
      "websplat/control-plane",
    ]);
    expect(repositories.every((repository) => repository.imageTagMutability === "IMMUTABLE")).toBe(true);
  });

  test("installs ingress-nginx and cert-manager with a wildcard certificate through Cloudflare DNS-01", () => {
    const releases = ofType("kubernetes:helm.sh/v3:Release").map((release) => release.inputs);
    expect(releases.map((release) => release.chart).sort()).toEqual(["cert-manager", "ingress-nginx"]);
    expect(releases.every((release) => /^v?\d+\.\d+\.\d+$/.test(release.version))).toBe(true);
    const custom = ofType("kubernetes:cert-manager.io/v1:Certificate").concat(
      ofType("kubernetes:cert-manager.io/v1:ClusterIssuer"),
    );
    const certificate = custom.find((resource) => resource.inputs.kind === "Certificate")?.inputs;
    expect(certificate.spec.dnsNames).toEqual(["websp.lat", "*.websp.lat"]);
    const issuer = custom.find((resource) => resource.inputs.kind === "ClusterIssuer")?.inputs;
    expect(issuer.spec.acme.solvers[0].dns01.cloudflare.apiTokenSecretRef.key).toBe("api-token");
  });

  test("points the apex, www and the control plane host at the ingress, proxied", () => {
    const records = ofType("cloudflare:index/dnsRecord:DnsRecord").map((record) => record.inputs);
    expect(records.map((record) => record.name).sort()).toEqual([
      "app.websp.lat",
      "websp.lat",
      "www.websp.lat",
    ]);
    expect(records.every((record) => record.proxied && record.content === outputs.ingressHostname)).toBe(
      true,
    );
  });

  test("deploys the control plane hardened, with the driver's settings and valid manifests", () => {
    const deployment = declared.find(
      (resource) => resource.name === "websplat-control-plane-deployment",
    )?.inputs;
    const service = declared.find((resource) => resource.name === "websplat-control-plane-service")?.inputs;
    const ingress = declared.find((resource) => resource.name === "websplat-control-plane-ingress")?.inputs;
    for (const [Model, object] of [
      [Deployment, deployment],
      [Service, service],
      [Ingress, ingress],
    ] as const) {
      expect(() => new Model(object).validate()).not.toThrow();
    }
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe(
      "123456789012.dkr.ecr.eu-central-1.amazonaws.com/websplat/control-plane:1.0.0",
    );
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    const env = Object.fromEntries(container.env.map((entry: Loose) => [entry.name, entry.value]));
    expect(env).toMatchObject({
      WEBSPLAT_DRIVER: "pulumi",
      WEBSPLAT_BASE_DOMAIN: "websp.lat",
      WEBSPLAT_TENANT_DB_HOST: "websplat.abc.eu-central-1.rds.amazonaws.com",
      WEBSPLAT_INGRESS_HOSTNAME: "k8s-ingress.elb.eu-central-1.amazonaws.com",
    });
    const secret = declared.find((resource) => resource.name === "websplat-control-plane-secret")?.inputs;
    // The whole map is a secret on the wire: its value holds the keys.
    expect(Object.keys(secret.stringData.value).sort()).toEqual(
      expect.arrayContaining(["DATABASE_URL", "KUBECONFIG", "CLOUDFLARE_API_TOKEN", "STRIPE_SECRET_KEY"]),
    );
    expect(ingress.spec.rules.map((rule: Loose) => rule.host)).toEqual([
      "websp.lat",
      "www.websp.lat",
      "app.websp.lat",
    ]);
  });
});
