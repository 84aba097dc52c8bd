/** Backups of tenant schemas and of the control plane's own tables: take, list, restore, schedule, prune. */

export { dumpSchema } from "./dump.ts";
export { BackupError, type BackupErrorCode } from "./errors.ts";
export { BACKUP_ID, BackupManifest } from "./manifest.ts";
export { restoreSchema } from "./restore.ts";
export { type S3StoreOptions, s3Store } from "./s3-store.ts";
export { backupRound, scheduleBackups } from "./schedule.ts";
export { type BackupStore, directoryStore, memoryStore } from "./store.ts";
export {
  type BackupDeps,
  type BackupSummary,
  backupControlPlane,
  backupDeps,
  backupStore,
  backupStoreFor,
  backupTenant,
  CONTROL_PLANE_OWNER,
  deleteAllBackups,
  listBackups,
  pruneBackups,
  readManifest,
  restoreTenant,
  restoreTenantDatabase,
  summarize,
} from "./tenant-backups.ts";
