import { fileURLToPath } from "node:url";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema.ts";

export type Database = PostgresJsDatabase<typeof schema>;
export type Sql = postgres.Sql;

export interface DatabaseHandle {
  sql: Sql;
  db: Database;
  /** Database name the tenants' schemas live in. */
  name: string;
  url: URL;
  close(): Promise<void>;
}

const MIGRATIONS = fileURLToPath(new URL("../drizzle", import.meta.url));
/** Serialises migrations when several control planes start together. */
const MIGRATION_LOCK = 7_246_170;

export function connect(url: string, options: { max?: number } = {}): DatabaseHandle {
  const sql = postgres(url, {
    max: options.max ?? 20,
    onnotice: () => {},
    connection: { application_name: "websplat-control-plane" },
    idle_timeout: 30,
    connect_timeout: 10,
  });
  const parsed = new URL(url);
  return {
    sql,
    db: drizzle(sql, { schema }),
    name: decodeURIComponent(parsed.pathname.slice(1)) || "postgres",
    url: parsed,
    close: () => sql.end({ timeout: 5 }),
  };
}

/** Creates `name` on the server of `adminUrl` unless it exists; returns the URL of that database. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [existing] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!existing) await admin.unsafe(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Applies the committed drizzle-kit migrations and the database-wide isolation rules. */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  await handle.sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    // Tenants get CONNECT one by one; nobody else may connect or create anything by default.
    await tx.unsafe(`revoke all on database "${handle.name.replaceAll('"', '""')}" from public`);
    await tx.unsafe("revoke all on schema public from public");
  });
  const lock = await handle.sql.reserve();
  await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
  try {
    await migrate(handle.db, {
      migrationsFolder: MIGRATIONS,
      migrationsSchema: "control_plane_migrations",
      migrationsTable: "applied",
    });
    await handle.sql.unsafe("revoke all on schema control_plane, control_plane_migrations from public");
  } finally {
    await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    lock.release();
  }
}
