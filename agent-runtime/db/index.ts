import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { Sql } from "postgres";
import * as schema from "./schema.ts";

export { connectTenantDatabase } from "./connection.ts";
export { applyMigrations } from "./migrate.ts";
export * as tables from "./schema.ts";

export type Database = PostgresJsDatabase<typeof schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** The builder's typed view of the tenant's connection (see `connectTenantDatabase`). */
export function builderDatabase(sql: Sql): Database {
  return drizzle(sql, { schema });
}
