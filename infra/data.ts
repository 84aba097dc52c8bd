import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config.ts";

export interface DatabaseArgs {
  vpcId: pulumi.Input<string>;
  subnetIds: pulumi.Input<string>[];
  /** Only this range (the cluster's VPC or pod range) reaches Postgres. */
  allowedCidr: string;
  settings: PlatformConfig["database"];
}

/** The shared PostgreSQL: private, encrypted, backed up daily, protected from accidental deletion. */
export class Database extends pulumi.ComponentResource {
  readonly host: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  /**
   * `postgres://` URL of the admin role (secret), `sslmode=verify-full`: node-postgres (pg-boss) and
   * postgres.js verify the RDS certificate against the image's RDS CA bundle (NODE_EXTRA_CA_CERTS).
   */
  readonly adminUrl: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:Database", name, {}, opts);
    const parent = this;
    const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds }, { parent });
    const firewall = new aws.ec2.SecurityGroup(
      `${name}-postgres`,
      {
        vpcId: args.vpcId,
        description: "Postgres from the cluster only",
        ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: [args.allowedCidr] }],
      },
      { parent },
    );
    const parameters = new aws.rds.ParameterGroup(
      `${name}-parameters`,
      {
        family: `postgres${args.settings.engineVersion.split(".")[0]}`,
        parameters: [
          { name: "rds.force_ssl", value: "1" },
          // Tenants cap their own connections; this bounds the sum (see docs/deploy.md, scale limits).
          { name: "max_connections", value: "2000", applyMethod: "pending-reboot" },
        ],
      },
      { parent },
    );
    const instance = new aws.rds.Instance(
      `${name}`,
      {
        engine: "postgres",
        engineVersion: args.settings.engineVersion,
        instanceClass: args.settings.instanceClass,
        allocatedStorage: args.settings.allocatedStorage,
        maxAllocatedStorage: args.settings.allocatedStorage * 10,
        storageType: "gp3",
        storageEncrypted: true,
        dbName: "websplat",
        username: "websplat_admin",
        password: args.settings.password,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [firewall.id],
        parameterGroupName: parameters.name,
        publiclyAccessible: false,
        multiAz: args.settings.multiAz,
        backupRetentionPeriod: args.settings.backupRetentionDays,
        backupWindow: "02:00-03:00",
        maintenanceWindow: "sun:03:30-sun:04:30",
        copyTagsToSnapshot: true,
        deletionProtection: true,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: `${name}-final`,
        performanceInsightsEnabled: true,
        autoMinorVersionUpgrade: true,
      },
      { parent, protect: true },
    );
    this.host = instance.address;
    this.port = instance.port;
    this.adminUrl = pulumi.secret(
      pulumi.interpolate`postgres://websplat_admin:${pulumi.output(args.settings.password).apply(encodeURIComponent)}@${instance.address}:${instance.port}/websplat?sslmode=verify-full`,
    );
    this.registerOutputs({ host: this.host });
  }
}

export interface StorageArgs {
  /** Days tenant backups are kept. */
  backupRetentionDays: number;
  /**
   * Days a deleted or replaced object (a pruned backup, an erased tenant's files) stays as a noncurrent version.
   * @default 7
   */
  deletedVersionDays?: number;
}

/**
 * Key prefixes the control plane writes in the backup bucket (`WEBSPLAT_BACKUP_PREFIX` is set to the first):
 * backups at `backups/<owner>/<id>/…`, data exports at `backups/_exports/<slug>/…`, published files at
 * `sites/<slug>/<hash>` (control-plane/sites/store.ts, next to the backups when they share the bucket).
 */
export const BACKUP_PREFIX = "backups";
export const EXPORTS_PREFIX = `${BACKUP_PREFIX}/_exports`;
export const SITES_PREFIX = "sites";
/** Days an emailed data export can be downloaded (`EXPORT_LINK_DAYS` of the control plane). */
const EXPORT_DAYS = 7;

/**
 * Expiry of the backup bucket. It is versioned, so a delete only hides an object behind a delete marker: the
 * bucket-wide rule removes noncurrent versions and then the markers left alone, so pruned backups, erased
 * tenants and unpublished files really go. Current published files never expire; backups and exports do.
 */
export function backupBucketLifecycle(args: StorageArgs) {
  return [
    {
      id: "expire-backups",
      status: "Enabled",
      filter: { prefix: `${BACKUP_PREFIX}/` },
      transitions: [{ days: 30, storageClass: "STANDARD_IA" }],
      expiration: { days: args.backupRetentionDays },
    },
    {
      id: "expire-exports",
      status: "Enabled",
      filter: { prefix: `${EXPORTS_PREFIX}/` },
      expiration: { days: EXPORT_DAYS },
    },
    {
      id: "remove-deleted-versions",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: args.deletedVersionDays ?? 7 },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 2 },
    },
    {
      // A marker with no versions behind it; S3 refuses this flag next to `days` in one rule.
      id: "remove-delete-markers",
      status: "Enabled",
      filter: {},
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
}

/** Tenant backups, exports and published sites (versioned, encrypted, expiring), and tenant stack state. */
export class Storage extends pulumi.ComponentResource {
  readonly backupBucket: pulumi.Output<string>;
  /** State of the tenant stacks (`PULUMI_BACKEND_URL`), versioned so any state can be restored. */
  readonly tenantStateBucket: pulumi.Output<string>;

  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:Storage", name, {}, opts);
    const parent = this;
    const bucket = new aws.s3.Bucket(
      `${name}-tenant-backups`,
      { forceDestroy: false },
      { parent, protect: true },
    );
    const state = new aws.s3.Bucket(
      `${name}-tenant-state`,
      { forceDestroy: false },
      { parent, protect: true },
    );
    new aws.s3.BucketVersioning(
      `${name}-tenant-state`,
      { bucket: state.id, versioningConfiguration: { status: "Enabled" } },
      { parent },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-tenant-state`,
      {
        bucket: state.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
      },
      { parent },
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-tenant-state`,
      {
        bucket: state.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent },
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-tenant-backups`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent },
    );
    new aws.s3.BucketVersioning(
      `${name}-tenant-backups`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      { parent },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-tenant-backups`,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
      },
      { parent },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-tenant-backups`,
      { bucket: bucket.id, rules: backupBucketLifecycle(args) },
      { parent },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-tenant-state`,
      {
        bucket: state.id,
        rules: [
          {
            // Every checkpoint is kept as a version for a quarter (restores, docs/deploy.md); then it goes.
            id: "expire-old-state",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: 90 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 2 },
          },
          {
            id: "remove-delete-markers",
            status: "Enabled",
            filter: {},
            expiration: { expiredObjectDeleteMarker: true },
          },
        ],
      },
      { parent },
    );
    this.backupBucket = bucket.bucket;
    this.tenantStateBucket = state.bucket;
    this.registerOutputs({ backupBucket: this.backupBucket });
  }
}
