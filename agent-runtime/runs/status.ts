/** Run status — contract (DESIGN §6). */
export const runStatuses = [
  "queued",
  "running",
  "awaiting_input",
  "completed",
  "stopped",
  "failed",
  "interrupted",
] as const;
export type RunStatus = (typeof runStatuses)[number];

/** A run in one of these holds its project: no second run, no rollback. */
export const activeStatuses: readonly RunStatus[] = ["queued", "running", "awaiting_input"];
export const finishedStatuses: readonly RunStatus[] = ["completed", "stopped", "failed"];
