import * as pulumi from "@pulumi/pulumi";

/** Everything the platform stack is configured with (`Pulumi.prod.yaml`, namespace `websplat`). */
export interface PlatformConfig {
  /** Base domain of the product, e.g. `websp.lat`. */
  domain: string;
  /** Cloudflare zone id of `domain`. */
  cloudflareZoneId: string;
  /**
   * The domain of published sites (`websplat:sitesDomain`): its own registrable domain, never under `domain`,
   * so published pages can never read or set the builder's cookies.
   */
  sitesDomain: string;
  /** Cloudflare zone id of `sitesDomain` (Cloudflare for SaaS custom hostnames live in it). */
  sitesZoneId: string;
  /** Sender of sign-in and notification mail, an address on `domain`. @default "WebSplat <hello@<domain>>" */
  emailFrom: string;
  /** Who runs the service, as the Terms name the other party (`websplat:operatorName`). */
  operatorName: string;
  /** Whose law governs the Terms, e.g. "England and Wales" (`websplat:jurisdiction`). */
  jurisdiction: string;
  /** Who receives DMARC aggregate reports. @default none */
  dmarcReports?: string;
  /** Replicas of the sites Deployment, between which its autoscaler moves. @default { min: 2, max: 10 } */
  sitesReplicas: { min: number; max: number };
  /** Cloudflare token (see docs/deploy.md for its permissions on both zones): records, DNS-01, custom hostnames. */
  cloudflareApiToken: pulumi.Input<string>;
  /** Let's Encrypt account e-mail. */
  acmeEmail: string;
  /** `eks` builds a cluster and its VPC; `existing` uses `kubeconfig` and the given VPC. */
  cluster:
    | {
        mode: "eks";
        /** @default "1.33" */
        version: string;
        /** Two or more zones of the region. */
        availabilityZones: string[];
        /** @default "10.0.0.0/16" */
        vpcCidr: string;
        nodeInstanceType: string;
        nodes: { min: number; desired: number; max: number };
        /** IAM roles given cluster-admin through EKS access entries (operators, CI). @default [] */
        adminArns: string[];
        /** Addresses (CIDRs) that may reach the EKS API endpoint from outside the VPC: operators, CI. */
        apiAllowedCidrs: string[];
      }
    | {
        mode: "existing";
        kubeconfig: pulumi.Input<string>;
        vpcId: string;
        /** Private subnets for the database. */
        privateSubnetIds: string[];
        /** Cluster (pod) address range allowed to reach Postgres. */
        clusterCidr: string;
        /**
         * EKS cluster name, for the control plane's Pod Identity association.
         * @default none: give its ServiceAccount an AWS role yourself
         */
        clusterName?: string;
      };
  database: {
    /** @default "db.t4g.medium" */
    instanceClass: string;
    /** GiB. @default 50 */
    allocatedStorage: number;
    /** @default "17" */
    engineVersion: string;
    /** Days of automated backups. @default 14 */
    backupRetentionDays: number;
    /** @default true */
    multiAz: boolean;
    /** Master password (secret). */
    password: pulumi.Input<string>;
  };
  controlPlane: {
    /** Image tag of the control plane in its ECR repository (never `latest`). */
    imageTag: string;
    /**
     * `sha256:…` digest the control plane runs, set by `websplat platform promote|rollback`; wins over the tag.
     * @default none: the tag
     */
    imageDigest?: string;
    /** @default 2 */
    replicas: number;
    /** Secrets the control plane reads (Stripe, admin token, Pulumi passphrase, model key). */
    secrets: Record<string, pulumi.Input<string>>;
  };
  /** Image tag of the agent runtime tenants run. */
  runtimeImageTag: string;
  /** `sha256:…` digest of the agent runtime, set by promotion; wins over the tag. @default none: the tag */
  runtimeImageDigest?: string;
  /** Days tenant backups are kept before expiring. @default 90 */
  backupRetentionDays: number;
}

/** Reads the stack's config, with defaults; a missing required key stops the program with Pulumi's own message. */
export function readPlatformConfig(config = new pulumi.Config("websplat")): PlatformConfig {
  const mode = config.get("clusterMode") ?? "eks";
  const domain = config.require("domain");
  const sitesDomain = config.require("sitesDomain");
  if (sitesDomain === domain || sitesDomain.endsWith(`.${domain}`)) {
    throw new Error(
      `websplat:sitesDomain (${sitesDomain}) must be a registrable domain of its own, not inside ${domain}: published pages could otherwise reach the builder's cookies.`,
    );
  }
  return {
    domain,
    sitesDomain,
    sitesZoneId: config.require("sitesZoneId"),
    emailFrom: config.get("emailFrom") ?? `WebSplat <hello@${domain}>`,
    operatorName: config.require("operatorName"),
    jurisdiction: config.require("jurisdiction"),
    dmarcReports: config.get("dmarcReports"),
    sitesReplicas: config.getObject("sitesReplicas") ?? { min: 2, max: 10 },
    cloudflareZoneId: config.require("cloudflareZoneId"),
    cloudflareApiToken: config.requireSecret("cloudflareApiToken"),
    acmeEmail: config.require("acmeEmail"),
    cluster:
      mode === "existing"
        ? {
            mode: "existing",
            kubeconfig: config.requireSecret("kubeconfig"),
            vpcId: config.require("vpcId"),
            privateSubnetIds: config.requireObject<string[]>("privateSubnetIds"),
            clusterCidr: config.require("clusterCidr"),
            clusterName: config.get("clusterName"),
          }
        : {
            mode: "eks",
            version: config.get("clusterVersion") ?? "1.33",
            availabilityZones: config.requireObject<string[]>("availabilityZones"),
            vpcCidr: config.get("vpcCidr") ?? "10.0.0.0/16",
            nodeInstanceType: config.get("nodeInstanceType") ?? "m7g.large",
            nodes: config.getObject("nodes") ?? { min: 2, desired: 3, max: 10 },
            adminArns: config.getObject<string[]>("clusterAdminArns") ?? [],
            apiAllowedCidrs: apiAllowedCidrs(config.requireObject<string[]>("clusterApiCidrs")),
          },
    database: {
      instanceClass: config.get("databaseInstanceClass") ?? "db.t4g.medium",
      allocatedStorage: config.getNumber("databaseStorageGb") ?? 50,
      engineVersion: config.get("databaseEngineVersion") ?? "17",
      backupRetentionDays: config.getNumber("databaseBackupDays") ?? 14,
      multiAz: config.getBoolean("databaseMultiAz") ?? true,
      password: config.requireSecret("databasePassword"),
    },
    controlPlane: {
      imageTag: config.require("controlPlaneImageTag"),
      imageDigest: config.get("controlPlaneImageDigest"),
      replicas: config.getNumber("controlPlaneReplicas") ?? 2,
      secrets: {
        STRIPE_SECRET_KEY: config.requireSecret("stripeSecretKey"),
        STRIPE_WEBHOOK_SECRET: config.requireSecret("stripeWebhookSecret"),
        WEBSPLAT_ADMIN_TOKEN: config.requireSecret("adminToken"),
        // Shared by every replica: owner sign-in links must verify whichever replica signed them.
        WEBSPLAT_OWNER_SIGNING_KEY: config.requireSecret("ownerSigningKey"),
        PULUMI_CONFIG_PASSPHRASE: config.requireSecret("tenantStatePassphrase"),
        OPENAI_API_KEY: config.getSecret("openaiApiKey") ?? "",
      },
    },
    runtimeImageTag: config.require("runtimeImageTag"),
    runtimeImageDigest: config.get("runtimeImageDigest"),
    backupRetentionDays: config.getNumber("backupRetentionDays") ?? 90,
  };
}

/** The EKS API's public allow-list: named addresses only, never the whole internet. */
function apiAllowedCidrs(cidrs: string[]): string[] {
  if (
    cidrs.length === 0 ||
    cidrs.some((cidr) => cidr === "0.0.0.0/0" || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr))
  )
    throw new Error(
      "websplat:clusterApiCidrs must list the IPv4 ranges (a.b.c.d/n) of operators and CI, and not 0.0.0.0/0.",
    );
  return cidrs;
}
