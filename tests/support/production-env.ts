import { generateKeyPairSync } from "node:crypto";

/** A complete environment for the control plane in the cluster with the Pulumi driver (placeholder values). */
export const PRODUCTION_ENV = {
  PULUMI_BACKEND_URL: "s3://websplat-pulumi-state/tenants?region=eu-central-1",
  PULUMI_CONFIG_PASSPHRASE: "correct horse battery staple",
  KUBECONFIG: "apiVersion: v1\nkind: Config\n",
  CLOUDFLARE_API_TOKEN: "cf-token",
  CLOUDFLARE_ZONE_ID: "0123456789abcdef0123456789abcdef",
  WEBSPLAT_RUNTIME_IMAGE: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/websplat/agent-runtime:1.0.0",
  WEBSPLAT_INGRESS_HOSTNAME: "k8s-ingress-1234.elb.eu-central-1.amazonaws.com",
  WEBSPLAT_TENANT_DB_HOST: "websplat.abc.eu-central-1.rds.amazonaws.com",
  DATABASE_URL: "postgres://websplat_admin:secret@websplat.abc.eu-central-1.rds.amazonaws.com:5432/websplat",
  // What production mode refuses to default (control-plane/config-production.ts).
  WEBSPLAT_BASE_DOMAIN: "websp.lat",
  WEBSPLAT_PUBLIC_URL: "https://websp.lat",
  WEBSPLAT_SITES_DOMAIN: "websplat.site",
  WEBSPLAT_TRUSTED_PROXY: "10.0.0.0/16",
  WEBSPLAT_METRICS_TOKEN: "metrics-token-for-prometheus",
  WEBSPLAT_EMAIL_TRANSPORT: "ses",
  AWS_REGION: "eu-central-1",
  SMTP_FROM: "WebSplat <hello@websp.lat>",
  WEBSPLAT_ADMIN_TOKEN: "admin-token-of-at-least-24-characters",
  // Made for each run: no key is written in the repository.
  WEBSPLAT_OWNER_SIGNING_KEY: generateKeyPairSync("ed25519")
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString(),
  STRIPE_SECRET_KEY: "sk_live_placeholder",
  STRIPE_WEBHOOK_SECRET: "whsec_placeholder",
  WEBSPLAT_BACKUP_BUCKET: "websplat-backups",
  OPENAI_API_KEY: "sk-placeholder",
};
