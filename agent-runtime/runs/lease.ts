import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/index.ts";
import { runs } from "../db/schema.ts";

// A run is driven by one process at a time: the one holding its lease. The lease is renewed by a
// heartbeat; when a process dies, its leases run out and another process can take the run up again.

const LEASE_MS = 30_000;
const HEARTBEAT_MS = 5_000;

/** The lease moved to another process: this one stops driving the run and writes nothing more. */
export class LeaseLost extends Error {}

/** Takes a queued run for `owner` and marks it running; undefined when it is not queued (any more). */
export async function takeLease(db: Database, runId: string, owner: string) {
  const [leased] = await db
    .update(runs)
    .set({
      status: "running",
      leaseOwner: owner,
      leaseExpiresAt: sql`now() + interval '${sql.raw(String(LEASE_MS))} milliseconds'`,
      heartbeatAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(runs.id, runId), eq(runs.status, "queued")))
    .returning();
  return leased;
}

/** Renews `owner`'s lease on the run until the returned function is called. */
export function keepLease(db: Database, runId: string, owner: string): () => void {
  const heartbeat = setInterval(() => {
    void db
      .update(runs)
      .set({
        leaseExpiresAt: sql`now() + interval '${sql.raw(String(LEASE_MS))} milliseconds'`,
        heartbeatAt: sql`now()`,
      })
      .where(and(eq(runs.id, runId), eq(runs.leaseOwner, owner)))
      .catch(() => {});
  }, HEARTBEAT_MS);
  return () => clearInterval(heartbeat);
}
