import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { automationWorkspaces } from "../../stacks/pulumi/workspace.ts";

/** What the control plane's pod holds in its environment (from the Secret and the Deployment). */
const POD_SECRETS = {
  STRIPE_SECRET_KEY: "sk_live_pod",
  STRIPE_WEBHOOK_SECRET: "whsec_pod",
  OPENAI_API_KEY: "sk-model-pod",
  WEBSPLAT_OWNER_SIGNING_KEY: "-----BEGIN PRIVATE KEY-----pod",
  WEBSPLAT_ADMIN_TOKEN: "admin-token-pod",
  DATABASE_URL: "postgres://websplat_admin:pw@db/websplat",
  CLOUDFLARE_API_TOKEN: "cf-token-pod",
};
const POD_RUNTIME = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
    "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
  AWS_REGION: "eu-central-1",
  KUBERNETES_SERVICE_HOST: "172.20.0.1",
  KUBERNETES_SERVICE_PORT: "443",
  NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/rds-global-bundle.pem",
};

let dir: string;
let saved: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "websplat-cli-env-"));
  // A stand-in CLI on PATH: answers `version`, and for anything else writes the environment it was given.
  const cli = join(dir, "pulumi");
  await writeFile(
    cli,
    `#!/bin/sh\nif [ "$1" = version ]; then echo v3.248.0; exit 0; fi\nenv > "${join(dir, "env.txt")}"\necho '{"user":"stub","url":"file:///state"}'\n`,
  );
  await chmod(cli, 0o755);
  saved = { ...process.env };
  Object.assign(process.env, POD_SECRETS, POD_RUNTIME, { PATH: `${dir}:${process.env.PATH}` });
});
afterAll(async () => {
  process.env = saved;
  await rm(dir, { recursive: true, force: true });
});

test("the Pulumi CLI (and the provider plugins it starts) never sees the platform's Stripe, model, signing or database secrets", async () => {
  await automationWorkspaces().checkBackend({
    workDir: dir,
    envVars: { PULUMI_BACKEND_URL: "s3://state/tenants", PULUMI_CONFIG_PASSPHRASE: "tenant-passphrase" },
  });
  const seen = Object.fromEntries(
    (await readFile(join(dir, "env.txt"), "utf8"))
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  for (const name of Object.keys(POD_SECRETS)) expect(seen[name] ?? "", name).toBe("");
  // What it needs still reaches it: its backend and passphrase, Pod Identity, in-cluster Kubernetes, trust stores.
  expect(seen).toMatchObject({
    ...POD_RUNTIME,
    PULUMI_BACKEND_URL: "s3://state/tenants",
    PULUMI_CONFIG_PASSPHRASE: "tenant-passphrase",
  });
});
