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
};
