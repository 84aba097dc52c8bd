import { pipeline as connect, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Sql, TransactionSql } from "postgres";
import { copyIn, copyOut, digest, ident, pinTextOutput, tablesInLoadOrder } from "./catalog.ts";
import { BackupError } from "./errors.ts";
import { type BackupManifest, backupKeys } from "./manifest.ts";
import type { BackupStore } from "./store.ts";

export interface RestoreTarget {
  /** Serialises with the driver's own ensure and drop of the same database (`tenant:<slug>` lock). */
  lockName: string;
  schema: string;
  /** The role that owns the schema and everything in it. */
  role: string;
  /** Builds the empty tables at the backup's migration level; runs as `role`, search_path on the schema. */
  migrate: (tx: TransactionSql, version: number | null) => Promise<void>;
}

/**
 * Replaces the schema with the backup, in one transaction: an empty schema migrated to the backup's level,
 * every table loaded with `COPY … FROM STDIN` in foreign-key order, sequences set, then every table read
 * back and compared with the manifest's checksums. Any difference rolls the whole restore back.
 */
export async function restoreSchema(
  sql: Sql,
  store: BackupStore,
  manifest: BackupManifest,
  target: RestoreTarget,
): Promise<Record<string, number>> {
  const schema = ident(target.schema);
  const role = ident(target.role);
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${target.lockName}))`;
    const [exists] = await tx`select 1 from pg_roles where rolname = ${target.role}`;
    if (!exists) {
      throw new BackupError(
        "tenant_database_missing",
        `The database role ${target.role} does not exist: reconcile the tenant first (websplat tenants reconcile), then restore.`,
      );
    }
    // Whatever still holds the old tables open (a runtime that was just stopped) lets go now.
    await tx`select pg_terminate_backend(pid) from pg_stat_activity where usename = ${target.role} and pid <> pg_backend_pid()`;
    await tx.unsafe(`drop schema if exists ${schema} cascade`);
    await tx.unsafe(`create schema ${schema} authorization ${role}`);
    await tx.unsafe(`revoke all on schema ${schema} from public`);
    // Everything below is created and loaded as the tenant's own role, so it owns what it gets back.
    await tx.unsafe(`set local role ${role}`);
    await tx.unsafe(`set local search_path to ${schema}`);
    await pinTextOutput(tx);
    await target.migrate(tx, manifest.migrations.version);

    const tables = new Map((await tablesInLoadOrder(tx, target.schema)).map((table) => [table.name, table]));
    for (const entry of manifest.tables) {
      if (!tables.has(entry.name)) {
        throw new BackupError(
          "backup_corrupt",
          `Table ${entry.name} of the backup does not exist at migration ${manifest.migrations.version}; the backup does not match this schema's migrations.`,
        );
      }
    }
    if (manifest.tables.length > 0)
      await tx.unsafe(`truncate ${manifest.tables.map((t) => `${schema}.${ident(t.name)}`).join(", ")}`);
    for (const entry of manifest.tables) {
      const { stream, totals } = digest();
      const source = await store.get(backupKeys.table(manifest.owner, manifest.id, entry.name));
      try {
        await copyIn(
          tx,
          target.schema,
          entry,
          connect(source, stream, () => {}),
        );
      } catch (error) {
        throw new BackupError(
          "backup_corrupt",
          `Table ${entry.name} of backup ${manifest.id} could not be loaded (${(error as Error).message}); nothing was changed.`,
        );
      }
      if (totals.sha256 !== entry.sha256) {
        throw new BackupError(
          "backup_corrupt",
          `The data of table ${entry.name} in backup ${manifest.id} does not match its checksum; restore another backup.`,
        );
      }
    }
    for (const sequence of manifest.sequences) {
      await tx`select setval(${`${schema}.${ident(sequence.name)}`}::regclass, ${sequence.value}::bigint, ${sequence.called})`;
    }
    return await verifyTables(tx, target.schema, manifest);
  });
}

/** Reads every restored table back the way the backup read it: same rows, same bytes, same checksum. */
async function verifyTables(
  tx: TransactionSql,
  schema: string,
  manifest: BackupManifest,
): Promise<Record<string, number>> {
  const shapes = new Map((await tablesInLoadOrder(tx, schema)).map((table) => [table.name, table]));
  const rows: Record<string, number> = {};
  for (const entry of manifest.tables) {
    const shape = { ...shapes.get(entry.name)!, columns: entry.columns };
    const { stream, totals } = digest();
    await pipeline(await copyOut(tx, schema, shape), stream, discard());
    if (totals.sha256 !== entry.sha256 || totals.rows !== entry.rows) {
      throw new BackupError(
        "backup_corrupt",
        `Table ${entry.name} read back differently after the restore (${totals.rows} rows, ${entry.rows} expected); nothing was changed.`,
      );
    }
    rows[entry.name] = totals.rows;
  }
  return rows;
}

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });
