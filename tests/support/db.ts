import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";

/** A fresh, empty database on the test run's PostgreSQL; its superuser URL. */
export async function createTestDatabase(prefix = "test"): Promise<string> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `${prefix.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
