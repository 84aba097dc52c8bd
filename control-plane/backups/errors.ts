export type BackupErrorCode =
  | "backup_not_found"
  | "backup_corrupt"
  | "backup_too_new"
  | "tenant_database_missing"
  | "tenant_data_unreadable"
  | "restore_needs_suspended_tenant";

/** A backup or restore that cannot proceed, with a code for scripts and a sentence an operator can act on. */
export class BackupError extends Error {
  readonly code: BackupErrorCode;
  constructor(code: BackupErrorCode, message: string) {
    super(message);
    this.name = "BackupError";
    this.code = code;
  }
}
