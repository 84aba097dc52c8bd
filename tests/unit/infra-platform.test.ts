import type * as pulumi from "@pulumi/pulumi";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { Service } from "kubernetes-models/v1/Service";
import { beforeAll, describe, expect, test } from "vitest";
import { CONTROL_PLANE_MEMORY } from "../../infra/control-plane.ts";
import { CLOUDFLARE_RANGES, type Declared, renderPlatform } from "../support/platform-render.ts";

// biome-ignore lint/suspicious/noExplicitAny: declared inputs are checked by shape.
type Loose = any;

let declared: Declared[] = [];
let outputs: Record<string, unknown> = {};
let declaredOptions = new Map<string, pulumi.CustomResourceOptions>();
let resourceNames = new WeakMap<pulumi.Resource, string>();

beforeAll(async () => {
  ({ declared, outputs, options: declaredOptions, names: resourceNames } = await renderPlatform());
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
    const cni = ofType("aws:eks/addon:Addon").find((addon) => addon.inputs.addonName === "vpc-cni")?.inputs;
    expect(JSON.parse(cni.configurationValues)).toEqual({ enableNetworkPolicy: "true" });
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
    // Both the backups and the tenant state bucket (docs/deploy.md says SSE-KMS for both).
    const encryption = ofType(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    );
    expect(encryption).toHaveLength(2);
    for (const bucket of encryption) {
      expect(bucket.inputs.rules[0]).toMatchObject({
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" },
      });
    }
    const lifecycle = ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find(
      (resource) => resource.name === "websplat-tenant-backups",
    )?.inputs;
    expect(lifecycle.rules.find((rule: Loose) => rule.id === "expire-backups").expiration).toEqual({
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
    expect(releases.map((release) => release.chart).sort()).toEqual([
      "cert-manager",
      "cluster-autoscaler",
      "ingress-nginx",
      "kube-prometheus-stack",
      "metrics-server",
    ]);
    expect(releases.every((release) => /^v?\d+\.\d+\.\d+$/.test(release.version))).toBe(true);
    const custom = ofType("kubernetes:cert-manager.io/v1:Certificate").concat(
      ofType("kubernetes:cert-manager.io/v1:ClusterIssuer"),
    );
    const certificate = custom.find((resource) => resource.name === "websplat-ingress-wildcard")?.inputs;
    expect(certificate.spec.dnsNames).toEqual(["websp.lat", "*.websp.lat"]);
    const issuer = custom.find((resource) => resource.inputs.kind === "ClusterIssuer")?.inputs;
    expect(issuer.spec.acme.solvers[0].dns01.cloudflare.apiTokenSecretRef.key).toBe("api-token");
  });

  test("points the apex, www and the control plane host at the ingress, proxied", () => {
    const records = ofType("cloudflare:index/dnsRecord:DnsRecord")
      .map((record) => record.inputs)
      .filter((record) => record.comment === "websplat platform");
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
      expect.arrayContaining(["DATABASE_URL", "CLOUDFLARE_API_TOKEN", "STRIPE_SECRET_KEY"]),
    );
    expect(ingress.spec.rules.map((rule: Loose) => rule.host)).toEqual([
      "websp.lat",
      "www.websp.lat",
      "app.websp.lat",
    ]);
  });
});

const named = (name: string) => declared.find((resource) => resource.name === name)?.inputs;
const controlPlanePod = () => named("websplat-control-plane-deployment").spec.template;
const controlPlaneEnv = (): Record<string, string> =>
  Object.fromEntries(
    controlPlanePod().spec.containers[0].env.map((entry: Loose) => [entry.name, entry.value]),
  );
const dependsOnNames = (name: string) =>
  ([declaredOptions.get(name)?.dependsOn ?? []].flat() as pulumi.Resource[]).map((resource) =>
    resourceNames.get(resource),
  );

describe("the platform stack comes up on the first try", () => {
  test("the Kubernetes provider waits for the node group, vpc-cni and Pod Identity agent, so no Helm release starts on a cluster without nodes", () => {
    expect(dependsOnNames("platform").sort()).toEqual([
      "websplat-nodes",
      "websplat-pod-identity-agent",
      "websplat-vpc-cni",
    ]);
    const addons = Object.fromEntries(
      ofType("aws:eks/addon:Addon").map((addon) => [addon.inputs.addonName, addon.inputs]),
    );
    // EKS pre-installs a self-managed vpc-cni: creating the addon must adopt it, not fail on conflict.
    expect(addons["vpc-cni"]).toMatchObject({ resolveConflictsOnCreate: "OVERWRITE" });
    expect(addons["eks-pod-identity-agent"]).toBeDefined();
  });

  test("the control plane uses its ServiceAccount in the cluster: no kubeconfig, so no `aws eks get-token` and no AWS CLI in the image", () => {
    const pod = controlPlanePod().spec;
    expect(pod.serviceAccountName).toBe("control-plane");
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(controlPlaneEnv()).not.toHaveProperty("KUBECONFIG");
    const secret = named("websplat-control-plane-secret");
    expect(Object.keys(secret.stringData.value)).not.toContain("KUBECONFIG");
  });

  test("the control plane's AWS role is declared: trusted by Pod Identity for its ServiceAccount, limited to the state and backup buckets", () => {
    const role = named("websplat-control-plane-identity-role");
    expect(JSON.parse(role.assumeRolePolicy).Statement[0]).toEqual({
      Effect: "Allow",
      Principal: { Service: "pods.eks.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
    });
    expect(named("websplat-control-plane-identity-pod-identity")).toMatchObject({
      clusterName: "websplat",
      namespace: "websplat",
      serviceAccount: "control-plane",
    });
    const policy = JSON.parse(named("websplat-control-plane-identity-buckets").policy);
    const resources = policy.Statement.flatMap((statement: Loose) => [statement.Resource].flat());
    expect(resources).toEqual(
      expect.arrayContaining([
        "arn:aws:s3:::websplat-tenant-state-bucket/*",
        "arn:aws:s3:::websplat-tenant-backups-bucket/*",
      ]),
    );
    expect(
      resources
        .filter((resource: string) => resource.startsWith("arn:aws:s3:::"))
        .every((resource: string) =>
          /^arn:aws:s3:::websplat-tenant-(state|backups)-bucket(\/\*)?$/.test(resource),
        ),
    ).toBe(true);
  });

  test("operators named in clusterAdminArns get cluster-admin through EKS access entries, no aws-auth edit", () => {
    expect(one("aws:eks/accessEntry:AccessEntry")).toMatchObject({
      principalArn: "arn:aws:iam::123456789012:role/websplat-ops",
    });
    expect(one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")).toMatchObject({
      policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      accessScope: { type: "cluster" },
    });
  });

  test("the control plane's Kubernetes rights stop at tenant namespaces: it binds only the tenant role, and any write outside t-* is denied", () => {
    const manager = named("websplat-control-plane-identity-tenant-manager");
    const managed = manager.rules.flatMap((rule: Loose) => rule.resources);
    expect(managed).not.toContain("namespaces");
    expect(managed).not.toContain("clusterroles");
    const provisioner = named("websplat-control-plane-identity-tenant-provisioner");
    expect(provisioner.rules).toContainEqual({
      apiGroups: ["rbac.authorization.k8s.io"],
      resources: ["clusterroles"],
      verbs: ["bind"],
      resourceNames: ["websplat-tenant-manager"],
    });
    const guard = one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").spec;
    expect(guard.failurePolicy).toBe("Fail");
    expect(guard.matchConditions[0].expression).toBe(
      "request.userInfo.username == 'system:serviceaccount:websplat:control-plane'",
    );
    expect(guard.validations[0].expression).toContain("request.namespace.startsWith('t-')");
    expect(one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").spec).toEqual({
      policyName: "websplat-control-plane-tenant-namespaces-only",
      validationActions: ["Deny"],
    });
  });

  test("the control plane knows its public https URL, so tenant links, Stripe return URLs and HSTS are right", () => {
    expect(controlPlaneEnv().WEBSPLAT_PUBLIC_URL).toBe("https://websp.lat");
  });

  test("the control plane verifies the RDS certificate (verify-full), for postgres.js, pg-boss and the postgresql provider alike", () => {
    const url = new URL(named("websplat-control-plane-secret").stringData.value.DATABASE_URL);
    expect(url.searchParams.get("sslmode")).toBe("verify-full");
  });

  test("a changed Secret rolls the control plane's pods (its checksum is in the pod template)", () => {
    expect(controlPlanePod().metadata.annotations["websp.lat/secret-checksum"]).toMatch(/^[0-9a-f]{64}$/);
  });

  test("a terminating pod may finish its tenant operations, and the operations it runs at once fit in its memory", () => {
    const pod = controlPlanePod().spec;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(15 * 60);
    const limitMi = Number.parseInt(pod.containers[0].resources.limits.memory, 10);
    const operations = Number(controlPlaneEnv().WEBSPLAT_PULUMI_MAX_OPERATIONS);
    expect(operations).toBeGreaterThanOrEqual(1);
    expect(
      CONTROL_PLANE_MEMORY.baseMi + operations * CONTROL_PLANE_MEMORY.perOperationMi,
    ).toBeLessThanOrEqual(limitMi);
  });

  test("the load balancer admits Cloudflare's edge only and the client address is CF-Connecting-IP, so X-Forwarded-For cannot be forged around Cloudflare", () => {
    const values = ofType("kubernetes:helm.sh/v3:Release").find(
      (release) => release.inputs.chart === "ingress-nginx",
    )?.inputs.values.controller;
    expect(values.service.loadBalancerSourceRanges).toEqual(CLOUDFLARE_RANGES.ipv4Cidrs);
    expect(values.service.externalTrafficPolicy).toBe("Local");
    expect(values.config).toMatchObject({
      "use-forwarded-headers": "false",
      "enable-real-ip": "true",
      "forwarded-for-header": "CF-Connecting-IP",
      "proxy-real-ip-cidr": [...CLOUDFLARE_RANGES.ipv4Cidrs, ...CLOUDFLARE_RANGES.ipv6Cidrs].join(","),
    });
  });

  test("a cluster autoscaler uses the node group's max, and `pulumi up` does not fight it over the desired size", () => {
    const autoscaler = ofType("kubernetes:helm.sh/v3:Release").find(
      (release) => release.inputs.chart === "cluster-autoscaler",
    )?.inputs;
    expect(autoscaler.values).toMatchObject({
      cloudProvider: "aws",
      autoDiscovery: { clusterName: "websplat" },
    });
    expect(named("websplat-autoscaler-pod-identity")).toMatchObject({
      namespace: "kube-system",
      serviceAccount: "cluster-autoscaler",
    });
    expect(declaredOptions.get("websplat-nodes")?.ignoreChanges).toContain("scalingConfig.desiredSize");
  });
});
