import { hostname } from "node:os";
import { and, inArray, isNull, like, lt, or, sql } from "drizzle-orm";
import type { Database } from "../db/index.ts";
import { runs } from "../db/schema.ts";
import type { RunEventLog } from "./events.ts";

/**
 * Runs left by a crashed process become `interrupted`. At start, those leased on this host are ours
 * (the process restarted); later sweeps take only runs whose lease expired (another replica died).
 */
export async function recoverOrphanedRuns(
  db: Database,
  events: RunEventLog,
  atStart: boolean,
): Promise<string[]> {
  const orphaned = await db
    .update(runs)
    .set({ status: "interrupted", leaseOwner: null, leaseExpiresAt: null, updatedAt: sql`now()` })
    .where(
      and(
        inArray(runs.status, ["queued", "running"]),
        atStart
          ? or(
              isNull(runs.leaseOwner),
              lt(runs.leaseExpiresAt, sql`now()`),
              like(runs.leaseOwner, `${hostname()}:%`),
            )
          : lt(runs.leaseExpiresAt, sql`now()`),
      ),
    )
    .returning({ id: runs.id });
  for (const { id } of orphaned) {
    await events.append(db, id, "run_status", {
      status: "interrupted",
      message: "The runtime restarted during this run; resume it to go on.",
    });
  }
  return orphaned.map((r) => r.id);
}
