/** The owner's data rights: an export of everything of theirs, and erasure. */
export { ERASED_EMAIL, type ErasureReport, eraseTenant } from "./erase.ts";
export { exportTenant } from "./export.ts";
