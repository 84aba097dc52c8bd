import { resolve } from "node:path";
import type { Sql } from "postgres";
import { databaseName } from "../../tenant-template/index.ts";
import type { Config } from "../config.ts";
import type { Services } from "../platform-services.ts";
import { whileNotReconciling } from "../reconciler/locks.ts";
import { ident } from "./catalog.ts";
import { dumpSchema } from "./dump.ts";
import { BackupError } from "./errors.ts";
import { BACKUP_ID, BackupManifest, backupKeys, manifestChecksum, newBackupId } from "./manifest.ts";
import { restoreSchema } from "./restore.ts";
import { s3Store } from "./s3-store.ts";
import { type BackupStore, directoryStore, readObject } from "./store.ts";
import { asTenant } from "./tenant-session.ts";

/** The folder of the control plane's own backups; `_` cannot start a tenant slug. */
export const CONTROL_PLANE_OWNER = "_control-plane";

/** A backup as the admin API shows it. */
export interface BackupSummary {
  id: string;
  slug: string;
  createdAt: string;
  sizeBytes: number;
  checksum: string;
  location: string;
  migrationVersion: number | null;
  tables: Record<string, number>;
}

/** S3 when `WEBSPLAT_BACKUP_BUCKET` is set, `<data dir>/backups` otherwise. */
export function backupStoreFor(config: Config): BackupStore {
  if (config.WEBSPLAT_BACKUP_BUCKET) {
    return s3Store({
      bucket: config.WEBSPLAT_BACKUP_BUCKET,
      prefix: config.WEBSPLAT_BACKUP_PREFIX,
      endpoint: config.WEBSPLAT_S3_ENDPOINT,
      region: config.AWS_REGION,
    });
  }
  return directoryStore(resolve(config.WEBSPLAT_DATA_DIR, "backups"));
}

const stores = new WeakMap<Config, BackupStore>();
export function backupStore(services: Pick<Services, "config">): BackupStore {
  let store = stores.get(services.config);
  if (!store) {
    store = backupStoreFor(services.config);
    stores.set(services.config, store);
  }
  return store;
}

export function summarize(store: BackupStore, slug: string, manifest: BackupManifest): BackupSummary {
  return {
    id: manifest.id,
    slug,
    createdAt: manifest.createdAt,
    sizeBytes: manifest.tables.reduce((sum, table) => sum + table.bytes, 0),
    checksum: manifest.checksum,
    location: store.location(backupKeys.folder(manifest.owner, manifest.id)),
    migrationVersion: manifest.migrations.version,
    tables: Object.fromEntries(manifest.tables.map((table) => [table.name, table.rows])),
  };
}

/** What taking and restoring backups needs: an admin connection and where backups live. */
export interface BackupDeps {
  sql: Sql;
  store: BackupStore;
}

export function backupDeps(services: Pick<Services, "sql" | "config">): BackupDeps {
  return { sql: services.sql, store: backupStore(services) };
}

/** Takes a backup of the tenant's schema now, read with the tenant role's rights. */
export async function backupTenant({ sql, store }: BackupDeps, slug: string): Promise<BackupSummary> {
  const schema = databaseName(slug);
  const [exists] = await sql`select 1 from pg_namespace where nspname = ${schema}`;
  if (!exists) {
    throw new BackupError(
      "tenant_database_missing",
      `Tenant "${slug}" has no database schema to back up (not provisioned yet, or deleted).`,
    );
  }
  const manifest = await asTenant(sql, schema, (tenant) =>
    dumpSchema(tenant, store, {
      owner: slug,
      id: newBackupId(),
      schema,
      migrations: { schema, name: "__drizzle_migrations" },
    }),
  );
  return summarize(store, slug, manifest);
}

/** Backs up the control plane's own tables (`control_plane` schema) the same way. */
export async function backupControlPlane({ sql, store }: BackupDeps): Promise<BackupSummary> {
  const manifest = await dumpSchema(sql, store, {
    owner: CONTROL_PLANE_OWNER,
    id: newBackupId(),
    schema: "control_plane",
    migrations: { schema: "control_plane_migrations", name: "applied" },
  });
  return summarize(store, CONTROL_PLANE_OWNER, manifest);
}

/** The tenant's finished backups (those with a manifest), newest first. */
export async function listBackups(store: BackupStore, slug: string): Promise<BackupManifest[]> {
  const keys = await store.list(`${slug}/`);
  const manifests: BackupManifest[] = [];
  for (const key of keys) {
    const [, id, file] = key.split("/");
    if (file !== "manifest.json" || !id || !BACKUP_ID.test(id)) continue;
    manifests.push(await readManifest(store, slug, id));
  }
  return manifests.sort((a, b) => b.id.localeCompare(a.id));
}

export async function readManifest(store: BackupStore, slug: string, id: string): Promise<BackupManifest> {
  const key = backupKeys.manifest(slug, id);
  if (!BACKUP_ID.test(id) || !(await store.exists(key))) {
    throw new BackupError(
      "backup_not_found",
      `Tenant "${slug}" has no backup "${id}". List them with \`websplat backup list ${slug}\`.`,
    );
  }
  const parsed = BackupManifest.safeParse(JSON.parse((await readObject(store, key)).toString("utf8")));
  if (!parsed.success || parsed.data.checksum !== manifestChecksum(parsed.data)) {
    throw new BackupError(
      "backup_corrupt",
      `The manifest of backup "${id}" of "${slug}" is damaged; restore another backup.`,
    );
  }
  return parsed.data;
}

/**
 * Restores a backup of `slug` into `target` (the same tenant by default): the target's runtime is stopped,
 * its schema replaced, and a reconcile started that brings the runtime back. Returns that reconcile.
 */
export async function restoreTenant(
  services: Services,
  input: { slug: string; backupId: string; target: string },
): Promise<{ backup: BackupSummary; tables: Record<string, number>; operationId: string }> {
  const deps = backupDeps(services);
  const manifest = await readManifest(deps.store, input.slug, input.backupId);
  const tables = await whileNotReconciling(services.sql, input.target, async () => {
    await stopRuntime(services, input.target);
    return await restoreTenantDatabase(deps, manifest, input.target);
  });
  const operationId = await services.reconciler.request(input.target, `restore of backup ${manifest.id}`);
  return { backup: summarize(deps.store, input.slug, manifest), tables, operationId };
}

/** Replaces the target tenant's schema with the backup (its runtime must not be running). */
export async function restoreTenantDatabase(
  { sql, store }: BackupDeps,
  manifest: BackupManifest,
  target: string,
): Promise<Record<string, number>> {
  const schema = databaseName(target);
  const [exists] = await sql`select 1 from pg_roles where rolname = ${schema}`;
  if (!exists) {
    throw new BackupError(
      "tenant_database_missing",
      `The database role ${schema} does not exist: reconcile the tenant first (websplat tenants reconcile ${target}), then restore.`,
    );
  }
  // A lost schema is made again, empty and the tenant's; the tenant's session fills it (it may not create schemas).
  await sql.unsafe(`create schema if not exists ${ident(schema)} authorization ${ident(schema)}`);
  await sql.unsafe(`revoke all on schema ${ident(schema)} from public`);
  // The schema is emptied first, so no code of the tenant's runs: loading a large table may take its time.
  return await asTenant(
    sql,
    schema,
    (tenant) =>
      restoreSchema(tenant, store, manifest, { lockName: `tenant:${target}`, schema, role: schema }),
    { statementTimeoutMs: 10 * 60_000, deadlineMs: 30 * 60_000 },
  );
}

/** Deletes backups older than `retentionDays`, always keeping the newest one. Returns the ids deleted. */
export async function pruneBackups(
  store: BackupStore,
  slug: string,
  retentionDays: number,
  now = new Date(),
) {
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  const [, ...older] = await listBackups(store, slug);
  const deleted: string[] = [];
  for (const manifest of older) {
    if (new Date(manifest.createdAt).getTime() >= cutoff) continue;
    await deleteBackup(store, slug, manifest.id);
    deleted.push(manifest.id);
  }
  return deleted;
}

/** Every object of the tenant's backups, finished or not (erasure). */
export async function deleteAllBackups(store: BackupStore, slug: string): Promise<number> {
  // Older versions too: a backup pruned or overwritten earlier still holds the tenant's data in a versioned bucket.
  return await store.purge(`${slug}/`);
}

async function deleteBackup(store: BackupStore, slug: string, id: string): Promise<void> {
  // The manifest first: a half-deleted backup is no longer listed or restorable.
  await store.delete(backupKeys.manifest(slug, id));
  for (const key of await store.list(`${backupKeys.folder(slug, id)}/`)) await store.delete(key);
}

/**
 * A runtime on this machine is stopped; in a cluster the tenant must be suspended (zero replicas)
 * before its schema is replaced under it.
 */
async function stopRuntime(services: Services, slug: string): Promise<void> {
  if (services.driver.runtimes) {
    await services.driver.runtimes.stop(slug);
    return;
  }
  const [row] = await services.sql`select desired from control_plane.tenants where slug = ${slug}`;
  if (row?.desired !== "suspended") {
    throw new BackupError(
      "restore_needs_suspended_tenant",
      `Suspend "${slug}" first (websplat tenants suspend ${slug}) so no replica writes during the restore; resume it afterwards.`,
    );
  }
}
