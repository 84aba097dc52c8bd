import { createHmac, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateOwnerKeyPair, publicKeyFromPrivate } from "./auth/owner-token.ts";

/** A secret kept in the data dir (mode 0600), generated on first use. */
async function persisted(
  dir: string,
  name: string,
  generate: () => string,
): Promise<{ value: string; generated: boolean }> {
  const file = join(dir, name);
  try {
    return { value: (await readFile(file, "utf8")).trim(), generated: false };
  } catch {
    await mkdir(dir, { recursive: true });
    const value = generate();
    await writeFile(file, `${value}\n`, { mode: 0o600, flag: "wx" }).catch(async () => {});
    return { value: (await readFile(file, "utf8")).trim(), generated: true };
  }
}

export interface PlatformSecrets {
  adminToken: string;
  adminTokenGenerated: boolean;
  webhookSecret: string;
  webhookSecretGenerated: boolean;
  ownerPrivateKey: string;
  ownerPublicKey: string;
  /** Derives tenants' database passwords (local driver). */
  platformSecret: string;
  postgresPassword: string;
}

export async function loadSecrets(
  dataDir: string,
  env: {
    adminToken?: string;
    webhookSecret?: string;
    ownerSigningKey?: string;
    /**
     * Derive the platform secret from the owner signing key instead of the data dir (production: replicas share
     * the key and their data dirs are emptyDirs, so export links must verify on any replica, after any restart).
     */
    sharedPlatformSecret?: boolean;
  },
): Promise<PlatformSecrets> {
  const token = (bytes: number) => () => randomBytes(bytes).toString("base64url");
  const admin = env.adminToken
    ? { value: env.adminToken, generated: false }
    : await persisted(dataDir, "admin-token", token(32));
  const webhook = env.webhookSecret
    ? { value: env.webhookSecret, generated: false }
    : await persisted(dataDir, "webhook-secret", () => `whsec_${randomBytes(24).toString("base64")}`);
  const ownerKey = env.ownerSigningKey
    ? { value: env.ownerSigningKey.trim(), generated: false }
    : await persisted(dataDir, "owner-key.pem", () => generateOwnerKeyPair().privateKeyPem.trim());
  const platform =
    env.sharedPlatformSecret && env.ownerSigningKey
      ? {
          value: createHmac("sha256", env.ownerSigningKey.trim())
            .update("websplat-platform-secret")
            .digest("base64url"),
        }
      : await persisted(dataDir, "platform-secret", token(32));
  const postgres = await persisted(dataDir, "postgres-password", () => randomBytes(18).toString("hex"));
  return {
    adminToken: admin.value,
    adminTokenGenerated: admin.generated,
    webhookSecret: webhook.value,
    webhookSecretGenerated: webhook.generated,
    ownerPrivateKey: `${ownerKey.value}\n`,
    ownerPublicKey: publicKeyFromPrivate(`${ownerKey.value}\n`),
    platformSecret: platform.value,
    postgresPassword: postgres.value,
  };
}
