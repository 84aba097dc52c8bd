import { readFileSync } from "node:fs";
import type { Sql } from "postgres";

const journalFile = new URL("../drizzle/meta/_journal.json", import.meta.url);

/** The latest committed migration's timestamp, as drizzle records it in `created_at` (the journal's `when`). */
function latestMigration(): number {
  const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { when: number }[] };
  return journal.entries.at(-1)?.when ?? 0;
}

/**
 * True when the tenant's bookkeeping already records the latest committed migration: one query, no lock,
 * no transaction and no migrator loaded, so a runtime restarting on an up-to-date schema (the usual case)
 * skips `applyMigrations`.
 */
export async function migrationsUpToDate(sql: Sql, schema: string): Promise<boolean> {
  const latest = latestMigration();
  try {
    const [row] = await sql.unsafe<{ last: string | null }[]>(
      `select max(created_at) as last from "${schema}"."__drizzle_migrations"`,
    );
    return row?.last != null && Number(row.last) >= latest;
  } catch (error) {
    // undefined_table: a schema never migrated.
    if ((error as { code?: string }).code === "42P01") return false;
    throw error;
  }
}
