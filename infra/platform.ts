import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { TENANT_PULUMI_PROJECT } from "../tenant-template/index.ts";
import { ClusterAutoscaler } from "./autoscaler.ts";
import { EksCluster } from "./cluster.ts";
import type { PlatformConfig } from "./config.ts";
import { ControlPlane } from "./control-plane.ts";
import { BACKUP_PREFIX, Database, Storage } from "./data.ts";
import { ZoneRecords } from "./dns.ts";
import { EmailDomain } from "./email.ts";
import { INGRESS_CLASS, INGRESS_NAMESPACE, IngressController } from "./ingress.ts";
import { Network } from "./network.ts";
import { Observability } from "./observability.ts";
import { ImageRegistries } from "./registries.ts";
import { SitesZone } from "./sites.ts";

/** What tenant stacks and operators need from the platform (the stack's outputs). */
export interface PlatformOutputs {
  kubeconfig: pulumi.Output<string>;
  databaseHost: pulumi.Output<string>;
  databasePort: pulumi.Output<number>;
  databaseCidr: string;
  ingressHostname: pulumi.Output<string>;
  ingressNamespace: string;
  zoneId: string;
  sitesZoneId: string;
  sitesDomain: string;
  backupBucket: pulumi.Output<string>;
  runtimeRepositoryUrl: pulumi.Output<string>;
  controlPlaneRepositoryUrl: pulumi.Output<string>;
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
  const registries = new ImageRegistries("websplat");
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
  // WEBSPLAT_METRICS_TOKEN: the bearer Prometheus scrapes the control plane and sites pods with, one per stack.
  const metricsToken = new random.RandomPassword("websplat-metrics-token", { length: 48, special: false });
  const observability = new Observability("websplat-observability", {
    provider: kubernetes,
    region,
    clusterName: cluster.name,
    metricsToken: metricsToken.result,
  });
  const zone = new ZoneRecords("websplat-zone", {
    provider: dnsProvider,
    zoneId: config.cloudflareZoneId,
    domain: config.domain,
    ingressHostname: ingress.hostname,
  });
  const sites = new SitesZone("websplat-sites", {
    provider: dnsProvider,
    zoneId: config.sitesZoneId,
    domain: config.sitesDomain,
    ingressHostname: ingress.hostname,
  });
  const email = new EmailDomain("websplat-email", {
    provider: dnsProvider,
    zoneId: config.cloudflareZoneId,
    domain: config.domain,
    region,
    dmarcReports: config.dmarcReports,
  });
  // A promoted digest pins exactly the image staging ran; a tag is only the first deploy's (docs/release.md).
  const pin = (tag: string, digest: string | undefined) => (digest ? `@${digest}` : `:${tag}`);
  const runtimeImage = pulumi.interpolate`${registries.runtimeRepositoryUrl}${pin(config.runtimeImageTag, config.runtimeImageDigest)}`;
  const controlPlaneImage = pulumi.interpolate`${registries.controlPlaneRepositoryUrl}${pin(config.controlPlane.imageTag, config.controlPlane.imageDigest)}`;
  const tenantBackendUrl = pulumi.interpolate`s3://${storage.tenantStateBucket}/${TENANT_PULUMI_PROJECT}?region=${region}`;
  new ControlPlane("websplat-control-plane", {
    provider: kubernetes,
    ingressNamespace: INGRESS_NAMESPACE,
    image: controlPlaneImage,
    replicas: config.controlPlane.replicas,
    hostnames: zone.hostnames,
    ingressClassName: INGRESS_CLASS,
    identity: {
      clusterName: cluster.name,
      stateBucket: storage.tenantStateBucket,
      backupBucket: storage.backupBucket,
      emailIdentityArn: email.identityArn,
    },
    sites: {
      domain: config.sitesDomain,
      hostnames: sites.hostnames,
      issuerName: ingress.issuerName,
      replicas: config.sitesReplicas,
      clusterName: cluster.name,
      bucket: storage.backupBucket,
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
      // Backups and exports under `backups/`, published files under `sites/`: the bucket's expiry rules follow.
      WEBSPLAT_BACKUP_PREFIX: BACKUP_PREFIX,
      AWS_REGION: region,
      // Published sites (DESIGN §12, §15): their own domain and zone, custom hostnames CNAME to the target.
      WEBSPLAT_SITES_DOMAIN: config.sitesDomain,
      WEBSPLAT_SITES_TARGET: sites.target,
      CLOUDFLARE_SITES_ZONE_ID: config.sitesZoneId,
      // Sign-in and notification mail through SES with the pod's identity (its role may send as the domain).
      WEBSPLAT_EMAIL_TRANSPORT: "ses",
      SMTP_FROM: config.emailFrom,
      // The Terms name who runs the service and whose law governs it (the legal pages, DESIGN §13).
      WEBSPLAT_OPERATOR_NAME: config.operatorName,
      WEBSPLAT_JURISDICTION: config.jurisdiction,
      // The only hop in front of the control plane is ingress-nginx (its pods' addresses); it puts Cloudflare's
      // CF-Connecting-IP in the forwarded headers, which the control plane reads only from these addresses.
      WEBSPLAT_TRUSTED_PROXY: cluster.podCidrs.join(","),
      OTEL_EXPORTER_OTLP_ENDPOINT: observability.otlpEndpoint,
      ...(clusterRebuilt ? { WEBSPLAT_CLUSTER_REBUILT: "true" } : {}),
    },
    secrets: {
      ...config.controlPlane.secrets,
      DATABASE_URL: database.adminUrl,
      CLOUDFLARE_API_TOKEN: config.cloudflareApiToken,
      WEBSPLAT_METRICS_TOKEN: metricsToken.result,
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
    sitesZoneId: config.sitesZoneId,
    sitesDomain: config.sitesDomain,
    backupBucket: storage.backupBucket,
    runtimeRepositoryUrl: registries.runtimeRepositoryUrl,
    controlPlaneRepositoryUrl: registries.controlPlaneRepositoryUrl,
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
        podCidrs: [settings.clusterCidr],
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
      apiAllowedCidrs: settings.apiAllowedCidrs,
    });
    return {
      kubeconfig: eks.kubeconfig,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      cidr: network.cidr,
      // VPC CNI: pods take their addresses from the private subnets.
      podCidrs: network.privateSubnetCidrs,
      name: eks.name as pulumi.Output<string> | undefined,
      ready: eks.ready,
    };
  }
}
