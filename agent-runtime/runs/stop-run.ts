import { and, eq, inArray, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { RuntimeConfig } from "../config.ts";
import type { Database, Transaction } from "../db/index.ts";
import { interrupts, messages, runs, steps } from "../db/schema.ts";
import type { BuilderMetrics } from "../metrics.ts";
import { headCheckpoint, writeCheckpoint } from "../store/checkpoints.ts";
import { reportFinishedRun } from "../support/run-report.ts";
import type { RunEventLog } from "./events.ts";

/** Marks a run `stopped` with a `stop` checkpoint of what exists; open questions and approvals are closed. */
export async function stopRun(
  deps: { db: Database; events: RunEventLog; metrics?: BuilderMetrics; config: RuntimeConfig; log: Logger },
  runId: string,
  note: string,
): Promise<void> {
  const { db, events } = deps;
  let stopped = false;
  await db.transaction(async (tx: Transaction) => {
    const [run] = await tx.select().from(runs).where(eq(runs.id, runId)).for("update");
    if (!run) return;
    const head = await headCheckpoint(tx, run.projectId);
    await tx
      .update(steps)
      .set({ status: "aborted", finishedAt: sql`now()` })
      .where(and(eq(steps.runId, runId), eq(steps.status, "running")));
    await tx
      .update(interrupts)
      .set({ status: "dismissed", resolvedAt: sql`now()` })
      .where(
        and(
          eq(interrupts.runId, runId),
          eq(interrupts.status, "open"),
          inArray(interrupts.kind, ["plan_approval", "question", "budget", "loop"]),
        ),
      );
    const [message] = await tx
      .insert(messages)
      .values({ projectId: run.projectId, runId, role: "assistant", content: note })
      .returning();
    const checkpoint = await writeCheckpoint(tx, {
      projectId: run.projectId,
      runId,
      kind: "stop",
      label: note,
      files: { treeHash: head.treeHash },
      workflow: run.workflow,
    });
    await tx
      .update(runs)
      .set({
        status: "stopped",
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: sql`now()`,
        finishedAt: sql`now()`,
      })
      .where(eq(runs.id, runId));
    await events.append(tx, runId, "message", { id: message!.id, role: "assistant", content: note });
    await events.append(tx, runId, "checkpoint", {
      id: checkpoint.id,
      kind: "stop",
      label: note,
      files: false,
    });
    await events.append(tx, runId, "run_status", { status: "stopped" });
    stopped = true;
  });
  if (stopped) deps.metrics?.runFinished("stopped");
  events.wake(runId);
  if (stopped) void reportFinishedRun(deps, runId);
}
