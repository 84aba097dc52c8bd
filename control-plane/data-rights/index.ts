/** The owner's data rights: an export of everything of theirs, and erasure. */

export { deleteExports, EXPORT_LINK_DAYS, emailedExport, sendExport } from "./delivery.ts";
export { ERASED_EMAIL, type ErasureReport, eraseTenant } from "./erase.ts";
export { exportTenant } from "./export.ts";
