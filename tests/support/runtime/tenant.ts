import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { generateOwnerKeyPair, signOwnerToken } from "../../../control-plane/auth/owner-token.ts";
import { createTestDatabase } from "../db.ts";

export interface TestTenant {
  slug: string;
  schema: string;
  /** The tenant role's URL: what the control plane hands the runtime. */
  databaseUrl: string;
  adminUrl: string;
  privateKeyPem: string;
  publicKeyPem: string;
  email: string;
  /** The environment of the launch contract. */
  env: Record<string, string>;
  signInToken(input?: { slug?: string; ttlSeconds?: number }): string;
}

/** A fresh database with a tenant role and schema made exactly as the control plane makes them. */
export async function createTestTenant(
  slug = "acme",
  extraEnv: Record<string, string> = {},
): Promise<TestTenant> {
  const adminUrl = await createTestDatabase(`runtime_${slug}`);
  const schema = `t_${slug.replaceAll("-", "_")}`;
  const password = randomBytes(12).toString("hex");
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const database = new URL(adminUrl).pathname.slice(1);
  try {
    await admin.unsafe(`REVOKE ALL ON DATABASE "${database}" FROM PUBLIC`);
    await admin.unsafe(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await admin.unsafe(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${schema}') THEN
      CREATE ROLE ${schema} LOGIN PASSWORD '${password}' CONNECTION LIMIT 10 NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
      ELSE ALTER ROLE ${schema} PASSWORD '${password}'; END IF; END $$`);
    await admin.unsafe(`CREATE SCHEMA ${schema} AUTHORIZATION ${schema}`);
    await admin.unsafe(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`);
    await admin.unsafe(`GRANT CONNECT ON DATABASE "${database}" TO ${schema}`);
    await admin.unsafe(`ALTER ROLE ${schema} SET search_path = ${schema}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.username = schema;
  url.password = password;
  const keys = generateOwnerKeyPair();
  const email = `owner@${slug}.example`;
  const env = {
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: url.toString(),
    WEBSPLAT_DB_SCHEMA: schema,
    WEBSPLAT_TENANT: slug,
    WEBSPLAT_TIER: "pro",
    WEBSPLAT_PUBLIC_URL: `http://${slug}.localhost:8080`,
    WEBSPLAT_OWNER_EMAIL: email,
    WEBSPLAT_OWNER_PUBLIC_KEY: keys.publicKeyPem,
    WEBSPLAT_LIMIT_SITES: "5",
    WEBSPLAT_LIMIT_TOKENS_PER_MONTH: "5000000",
    WEBSPLAT_OFFLINE_PACE_MS: "0",
    LOG_LEVEL: "warn",
    ...extraEnv,
  };
  return {
    slug,
    schema,
    databaseUrl: url.toString(),
    adminUrl,
    privateKeyPem: keys.privateKeyPem,
    publicKeyPem: keys.publicKeyPem,
    email,
    env,
    signInToken: (input = {}) =>
      signOwnerToken(keys.privateKeyPem, { slug: input.slug ?? slug, email, ttlSeconds: input.ttlSeconds })
        .token,
  };
}
