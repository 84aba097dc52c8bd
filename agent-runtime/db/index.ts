import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import * as schema from "./schema.ts";

export { applyMigrations } from "./migrate.ts";
export * as tables from "./schema.ts";

export type Database = PostgresJsDatabase<typeof schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface DatabaseConnection {
  db: Database;
  sql: Sql;
  close(): Promise<void>;
}

/** Connects as the tenant's role with search_path pinned to its schema (not left to the role default). */
export function connectDatabase(url: string, tenantSchema: string): DatabaseConnection {
  const sql = postgres(url, {
    max: 5,
    onnotice: () => {},
    connection: { search_path: tenantSchema, application_name: "websplat-runtime" },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 2 }) };
}
