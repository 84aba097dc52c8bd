import { fileURLToPath } from "node:url";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Sql, TransactionSql } from "postgres";

const migrationsFolder = fileURLToPath(new URL("../drizzle", import.meta.url));

/** The committed migrations, oldest first: `version` is drizzle's folder timestamp. */
export function runtimeMigrations(): { version: number; hash: string }[] {
  return readMigrationFiles({ migrationsFolder }).map((m) => ({ version: m.folderMillis, hash: m.hash }));
}

/**
 * Applies the committed drizzle-kit migrations inside the tenant's schema.
 *
 * drizzle's own migrator starts with `CREATE SCHEMA IF NOT EXISTS`, which a tenant role may not run
 * (Postgres checks the database CREATE privilege first), so this applies the same files with the
 * same bookkeeping table, kept in the tenant schema. drizzle-kit qualifies foreign keys with
 * "public"; the qualifier is dropped so every object lands in the tenant's schema.
 */
export async function applyMigrations(sql: Sql, schema: string): Promise<number> {
  return sql.begin((tx) => migrateSchema(tx, schema));
}

/**
 * The same, inside a transaction the caller holds (with search_path on the tenant schema), and only up to
 * migration `until` when given: a restore rebuilds the schema a backup was taken at.
 */
export async function migrateSchema(
  tx: TransactionSql,
  schema: string,
  options: { until?: number } = {},
): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder });
  const table = `"${schema}"."__drizzle_migrations"`;
  // Two replicas starting together must not both apply the same migration.
  await tx`select pg_advisory_xact_lock(hashtext(${`websplat-migrations:${schema}`}))`;
  await tx.unsafe(
    `create table if not exists ${table} (id serial primary key, hash text not null, created_at bigint)`,
  );
  const [last] = await tx.unsafe<{ created_at: string }[]>(
    `select created_at from ${table} order by created_at desc limit 1`,
  );
  let applied = 0;
  for (const migration of migrations) {
    if (last && Number(last.created_at) >= migration.folderMillis) continue;
    if (options.until !== undefined && migration.folderMillis > options.until) break;
    for (const statement of migration.sql) {
      const text = statement.replaceAll('"public".', "").trim();
      if (text) await tx.unsafe(text);
    }
    await tx.unsafe(`insert into ${table} (hash, created_at) values ($1, $2)`, [
      migration.hash,
      migration.folderMillis,
    ]);
    applied++;
  }
  return applied;
}
