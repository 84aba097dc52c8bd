import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TENANT_PULUMI_PROJECT } from "../tenant-template/index.ts";
import { ClusterAutoscaler } from "./autoscaler.ts";
import { EksCluster } from "./cluster.ts";
import type { PlatformConfig } from "./config.ts";
import { ControlPlane } from "./control-plane.ts";
import { Database, Storage } from "./data.ts";
import { ZoneRecords } from "./dns.ts";
import { INGRESS_CLASS, INGRESS_NAMESPACE, IngressController } from "./ingress.ts";
import { Network } from "./network.ts";

/** What tenant stacks and operators need from the platform (the stack's outputs). */
export interface PlatformOutputs {
  kubeconfig: pulumi.Output<string>;
  databaseHost: pulumi.Output<string>;
  databasePort: pulumi.Output<number>;
  databaseCidr: string;
  ingressHostname: pulumi.Output<string>;
  ingressNamespace: string;
  zoneId: string;
  backupBucket: pulumi.Output<string>;
  tenantBackendUrl: pulumi.Output<string>;
  runtimeImage: pulumi.Output<string>;
  controlPlaneImage: pulumi.Output<string>;
}

/** The shared platform (DESIGN §1 `infra/`): cluster, database, storage, ingress, certificates, DNS, control plane. */
export function createPlatform(config: PlatformConfig): PlatformOutputs {
  const region = new pulumi.Config("aws").get("region") ?? "eu-central-1";
  const cluster = createCluster();
  // Helm releases must not start before nodes joined and the network plugin runs: the provider (and
  // so every Kubernetes object) waits for them, not just for the control plane endpoint.
  // After a cluster rebuild (docs/deploy.md, disaster recovery) objects of the lost cluster are
  // dropped from the state instead of blocking every refresh, here and in every tenant stack.
  const clusterRebuilt = new pulumi.Config("websplat").getBoolean("clusterRebuilt") ?? false;
  const kubernetes = new k8s.Provider(
    "platform",
    { kubeconfig: cluster.kubeconfig, deleteUnreachable: clusterRebuilt },
    { dependsOn: cluster.ready },
  );
  const database = new Database("websplat-postgres", {
    vpcId: cluster.vpcId,
    subnetIds: cluster.privateSubnetIds,
    allowedCidr: cluster.cidr,
    settings: config.database,
  });
  const storage = new Storage("websplat", { backupRetentionDays: config.backupRetentionDays });
  const dnsProvider = new cloudflare.Provider("cloudflare", { apiToken: config.cloudflareApiToken });
  const ingress = new IngressController("websplat-ingress", {
    provider: kubernetes,
    domain: config.domain,
    acmeEmail: config.acmeEmail,
    cloudflareApiToken: config.cloudflareApiToken,
    cloudflareProvider: dnsProvider,
  });
  if (cluster.name) {
    new ClusterAutoscaler("websplat-autoscaler", { provider: kubernetes, clusterName: cluster.name, region });
  }
  const zone = new ZoneRecords("websplat-zone", {
    provider: dnsProvider,
    zoneId: config.cloudflareZoneId,
    domain: config.domain,
    ingressHostname: ingress.hostname,
  });
  // A promoted digest pins exactly the image staging ran; a tag is only the first deploy's (docs/release.md).
  const pin = (tag: string, digest: string | undefined) => (digest ? `@${digest}` : `:${tag}`);
  const runtimeImage = pulumi.interpolate`${storage.runtimeRepositoryUrl}${pin(config.runtimeImageTag, config.runtimeImageDigest)}`;
  const controlPlaneImage = pulumi.interpolate`${storage.controlPlaneRepositoryUrl}${pin(config.controlPlane.imageTag, config.controlPlane.imageDigest)}`;
  const tenantBackendUrl = pulumi.interpolate`s3://${storage.tenantStateBucket}/${TENANT_PULUMI_PROJECT}?region=${region}`;
  new ControlPlane("websplat-control-plane", {
    provider: kubernetes,
    image: controlPlaneImage,
    replicas: config.controlPlane.replicas,
    hostnames: zone.hostnames,
    ingressClassName: INGRESS_CLASS,
    identity: {
      clusterName: cluster.name,
      stateBucket: storage.tenantStateBucket,
      backupBucket: storage.backupBucket,
    },
    env: {
      WEBSPLAT_DRIVER: "pulumi",
      WEBSPLAT_BASE_DOMAIN: config.domain,
      // Tenant URLs, Stripe return URLs and HSTS follow from it (https, no port).
      WEBSPLAT_PUBLIC_URL: `https://${config.domain}`,
      PULUMI_BACKEND_URL: tenantBackendUrl,
      CLOUDFLARE_ZONE_ID: config.cloudflareZoneId,
      WEBSPLAT_RUNTIME_IMAGE: runtimeImage,
      WEBSPLAT_INGRESS_HOSTNAME: ingress.hostname,
      WEBSPLAT_INGRESS_NAMESPACE: INGRESS_NAMESPACE,
      WEBSPLAT_TENANT_DB_HOST: database.host,
      WEBSPLAT_TENANT_DB_CIDR: cluster.cidr,
      WEBSPLAT_BACKUP_BUCKET: storage.backupBucket,
      AWS_REGION: region,
      ...(clusterRebuilt ? { WEBSPLAT_CLUSTER_REBUILT: "true" } : {}),
    },
    secrets: {
      ...config.controlPlane.secrets,
      DATABASE_URL: database.adminUrl,
      CLOUDFLARE_API_TOKEN: config.cloudflareApiToken,
    },
  });
  return {
    kubeconfig: pulumi.secret(cluster.kubeconfig),
    databaseHost: database.host,
    databasePort: database.port,
    databaseCidr: cluster.cidr,
    ingressHostname: ingress.hostname,
    ingressNamespace: INGRESS_NAMESPACE,
    zoneId: config.cloudflareZoneId,
    backupBucket: storage.backupBucket,
    tenantBackendUrl,
    runtimeImage,
    controlPlaneImage,
  };

  /** A new EKS cluster in its own VPC, or the cluster and VPC named in config. */
  function createCluster() {
    const settings = config.cluster;
    if (settings.mode === "existing") {
      return {
        kubeconfig: pulumi.output(settings.kubeconfig),
        vpcId: pulumi.output(settings.vpcId),
        privateSubnetIds: settings.privateSubnetIds.map((id) => pulumi.output(id)),
        cidr: settings.clusterCidr,
        name: settings.clusterName ? pulumi.output(settings.clusterName) : undefined,
        ready: [] as pulumi.Resource[],
      };
    }
    const network = new Network("websplat", {
      cidr: settings.vpcCidr,
      availabilityZones: settings.availabilityZones,
    });
    const eks = new EksCluster("websplat", {
      network,
      version: settings.version,
      nodeInstanceType: settings.nodeInstanceType,
      nodes: settings.nodes,
      adminArns: settings.adminArns,
    });
    return {
      kubeconfig: eks.kubeconfig,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      cidr: network.cidr,
      name: eks.name as pulumi.Output<string> | undefined,
      ready: eks.ready,
    };
  }
}
