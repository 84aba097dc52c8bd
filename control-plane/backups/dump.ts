import { pipeline } from "node:stream/promises";
import type { Sql } from "postgres";
import {
  copyOut,
  digest,
  ident,
  migrationLevel,
  pinTextOutput,
  sequencesOf,
  tablesInLoadOrder,
} from "./catalog.ts";
import { schemaDefinition } from "./definition.ts";
import {
  BACKUP_FORMAT,
  type BackupManifest,
  backupKeys,
  manifestChecksum,
  type TableEntry,
} from "./manifest.ts";
import type { BackupStore } from "./store.ts";

export interface DumpInput {
  /** Tenant slug or `_control-plane`: the folder of the backup. */
  owner: string;
  id: string;
  schema: string;
  /** drizzle's bookkeeping table of the schema: its newest row is the migration level the manifest shows. */
  migrations: { schema: string; name: string };
}

/**
 * Writes one consistent snapshot of a schema: every table's rows streamed with `COPY … TO STDOUT` into its own
 * object, then the manifest (the schema's definition, migration level, row counts, sha256 per table and of the
 * whole backup). Needs no `pg_dump`, so it works against any PostgreSQL the control plane reaches. A tenant's
 * schema is dumped on a tenant session (`asTenant`): `sql` then has only the tenant's rights.
 */
export async function dumpSchema(sql: Sql, store: BackupStore, input: DumpInput): Promise<BackupManifest> {
  const createdAt = new Date().toISOString();
  const body = await sql.begin("isolation level repeatable read read only", async (tx) => {
    await pinTextOutput(tx);
    // pg_catalog first: the schema's own objects never stand in for built-ins; the schema next, so the
    // definition names its objects without the schema and restores into another one.
    await tx.unsafe(`set local search_path to pg_catalog, ${ident(input.schema)}`);
    const definition = await schemaDefinition(tx, input.schema);
    const tables: TableEntry[] = [];
    for (const table of await tablesInLoadOrder(tx, input.schema)) {
      const { stream, totals } = digest();
      const rows = await copyOut(tx, input.schema, table);
      // Both awaited together: a COPY the tenant's code breaks (or a store that fails) rejects here, whichever
      // side notices first, and the other side's error is handled too.
      await Promise.all([
        pipeline(rows, stream),
        store.put(backupKeys.table(input.owner, input.id, table.name), stream),
      ]);
      tables.push({
        name: table.name,
        columns: table.columns,
        rows: totals.rows,
        bytes: totals.bytes,
        sha256: totals.sha256,
      });
    }
    return {
      definition,
      tables,
      sequences: await sequencesOf(tx, input.schema),
      migrations: await migrationLevel(tx, input.migrations),
    };
  });
  const unsigned = {
    format: BACKUP_FORMAT,
    id: input.id,
    owner: input.owner,
    schema: input.schema,
    createdAt,
    ...body,
  } satisfies Omit<BackupManifest, "checksum">;
  const manifest: BackupManifest = { ...unsigned, checksum: manifestChecksum(unsigned) };
  // The manifest goes last: a backup without one is unfinished and never listed.
  await store.put(backupKeys.manifest(input.owner, input.id), Buffer.from(JSON.stringify(manifest, null, 2)));
  return manifest;
}
