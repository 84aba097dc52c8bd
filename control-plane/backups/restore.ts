import { pipeline as connect, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Sql, TransactionSql } from "postgres";
import { copyIn, copyOut, digest, ident, pinTextOutput, tablesInLoadOrder } from "./catalog.ts";
import { clearSchema } from "./definition.ts";
import { BackupError } from "./errors.ts";
import { type BackupManifest, backupKeys } from "./manifest.ts";
import type { BackupStore } from "./store.ts";

export interface RestoreTarget {
  /** Serialises with the driver's own ensure and drop of the same database (`tenant:<slug>` lock). */
  lockName: string;
  schema: string;
  /** The role that owns the schema and everything in it; the session works as this role. */
  role: string;
}

/**
 * Replaces the schema's contents with the backup, in one transaction on a tenant session (`asTenant`): the
 * schema emptied, rebuilt from the backup's definition, every table loaded with `COPY … FROM STDIN` in
 * foreign-key order, sequences set, then every table read back and compared with the manifest's checksums.
 * Any difference rolls the whole restore back. Everything runs with the tenant role's rights, so what the
 * backup holds can do no more than the tenant itself could.
 */
export async function restoreSchema(
  tenant: Sql,
  store: BackupStore,
  manifest: BackupManifest,
  target: RestoreTarget,
): Promise<Record<string, number>> {
  const definition = manifest.definition;
  if (!definition) {
    throw new BackupError(
      "backup_corrupt",
      `Backup "${manifest.id}" holds no schema definition (it predates definitions in backups); take a new backup, or restore it with the release that took it.`,
    );
  }
  const schema = ident(target.schema);
  return await tenant.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${target.lockName}))`;
    // Whatever still holds the old tables open (a runtime that was just stopped) lets go now.
    await tx`select pg_terminate_backend(pid, 5000) from pg_stat_activity
             where usename = ${target.role} and pid <> pg_backend_pid()`;
    // Objects are created in the first schema of the path: the target, then the built-ins.
    await tx.unsafe(`set local search_path to ${schema}, pg_catalog`);
    await pinTextOutput(tx);
    await clearSchema(tx, target.schema);
    for (const statement of definition) {
      try {
        await tx.unsafe(statement);
      } catch (error) {
        throw new BackupError(
          "backup_corrupt",
          `The schema of backup ${manifest.id} could not be rebuilt (${(error as Error).message}); nothing was changed.`,
        );
      }
    }

    const tables = new Map((await tablesInLoadOrder(tx, target.schema)).map((table) => [table.name, table]));
    for (const entry of manifest.tables) {
      if (!tables.has(entry.name)) {
        throw new BackupError(
          "backup_corrupt",
          `Table ${entry.name} of backup ${manifest.id} is not in its own schema definition; restore another backup.`,
        );
      }
    }
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
