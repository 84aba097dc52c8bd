import { createHash } from "node:crypto";
import { z } from "zod";

export const BACKUP_FORMAT = "websplat-backup/1";

/** Backup ids are their UTC creation time, sortable and safe in paths and keys. */
export const BACKUP_ID = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

export const TableEntry = z.object({
  name: z.string(),
  /** The columns in the order of the COPY data. */
  columns: z.array(z.string()),
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
  /** sha256 of the table's COPY text (rows in primary-key order, UTC, ISO dates). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type TableEntry = z.infer<typeof TableEntry>;

export const BackupManifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  id: z.string().regex(BACKUP_ID),
  /** Tenant slug, or `_control-plane`. */
  owner: z.string(),
  schema: z.string(),
  createdAt: z.string(),
  /** The schema's migration level: the newest applied drizzle migration (null when none ran). */
  migrations: z.object({
    version: z.number().nullable(),
    count: z.number().int(),
    hash: z.string().nullable(),
  }),
  /** The statements that rebuild the schema's tables, sequences, types, constraints and indexes (empty schema). */
  definition: z.array(z.string()).optional(),
  /** In an order that satisfies foreign keys when loaded one after another. */
  tables: z.array(TableEntry),
  sequences: z.array(z.object({ name: z.string(), value: z.string(), called: z.boolean() })),
  /** sha256 over everything above but `id`/`createdAt`: any changed table file or manifest field is caught. */
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

export function manifestChecksum(manifest: Omit<BackupManifest, "checksum">): string {
  const { format, owner, schema, migrations, definition, tables, sequences } = manifest;
  return createHash("sha256")
    .update(JSON.stringify({ format, owner, schema, migrations, definition, tables, sequences }))
    .digest("hex");
}

export function newBackupId(at = new Date()): string {
  return at.toISOString().replace(/[:.]/g, "-");
}

/** Object keys of one backup: `<owner>/<id>/manifest.json` and `<owner>/<id>/tables/<table>.copy`. */
export const backupKeys = {
  folder: (owner: string, id: string) => `${owner}/${id}`,
  manifest: (owner: string, id: string) => `${owner}/${id}/manifest.json`,
  table: (owner: string, id: string, table: string) => `${owner}/${id}/tables/${table}.copy`,
};
