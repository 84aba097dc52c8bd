import { and, eq, sql } from "drizzle-orm";
import type { Workflow } from "../agents/workflow.ts";
import type { Transaction } from "../db/index.ts";
import { interrupts, messages, runs, steps, usageLedger } from "../db/schema.ts";
import type { Checkpoint } from "../store/checkpoints.ts";
import { writeCheckpoint } from "../store/checkpoints.ts";
import type { StepOutcome } from "./agent-steps.ts";
import type { RunEventLog } from "./events.ts";
import { currentMonth } from "./gates.ts";
import { LeaseLost } from "./lease.ts";

export interface FinishedStep {
  run: typeof runs.$inferSelect;
  /** The instance holding the run's lease: a step of a run this process no longer holds is not kept. */
  owner: string;
  stepKey: string;
  before: Workflow;
  next: Workflow;
  outcome: StepOutcome;
  /** The checkpoint the step started from; its files stay when the step wrote none. */
  head: Checkpoint;
  /** Tokens the run had spent before this step. */
  runTokens: number;
}

/** Keeps a finished step: the workflow, usage, message, checkpoint, suggestions and their events, all at once. */
export async function commitStep(tx: Transaction, events: RunEventLog, step: FinishedStep): Promise<void> {
  const { run, owner, stepKey, before, next, outcome, head, runTokens } = step;
  const [owned] = await tx
    .update(runs)
    .set({
      workflow: next,
      promptTokens: sql`${runs.promptTokens} + ${outcome.usage.promptTokens}`,
      completionTokens: sql`${runs.completionTokens} + ${outcome.usage.completionTokens}`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(runs.id, run.id), eq(runs.leaseOwner, owner)))
    .returning({ id: runs.id });
  if (!owned) throw new LeaseLost();
  await tx.insert(usageLedger).values({
    runId: run.id,
    stepKey,
    model: outcome.model,
    month: currentMonth(),
    promptTokens: outcome.usage.promptTokens,
    completionTokens: outcome.usage.completionTokens,
  });
  const [message] = await tx
    .insert(messages)
    .values({ projectId: run.projectId, runId: run.id, role: "assistant", content: outcome.summary })
    .returning();
  const checkpoint = await writeCheckpoint(tx, {
    projectId: run.projectId,
    runId: run.id,
    kind:
      outcome.agent === "planner"
        ? "plan"
        : outcome.agent === "designer"
          ? "design"
          : outcome.agent === "builder"
            ? "build"
            : "review",
    label: outcome.summary,
    files: outcome.files ?? { treeHash: head.treeHash },
    workflow: next,
  });
  await tx
    .update(steps)
    .set({
      status: "completed",
      fingerprint: outcome.fingerprint,
      checkpointId: checkpoint.id,
      finishedAt: sql`now()`,
    })
    .where(and(eq(steps.runId, run.id), eq(steps.key, stepKey)));
  for (const idea of outcome.suggestions) {
    const [row] = await tx
      .insert(interrupts)
      .values({ runId: run.id, kind: "suggestion", payload: idea })
      .returning();
    await events.append(tx, run.id, "suggestion", { interruptId: row!.id, ...idea });
  }
  if (next.superseded.length > before.superseded.length) {
    await events.append(tx, run.id, "plan_superseded", {
      items: next.superseded.slice(before.superseded.length),
    });
  }
  await events.append(tx, run.id, "message", {
    id: message!.id,
    role: "assistant",
    content: outcome.summary,
  });
  await events.append(tx, run.id, "checkpoint", {
    id: checkpoint.id,
    kind: checkpoint.kind,
    label: checkpoint.label,
    files: Boolean(outcome.files),
  });
  await events.append(tx, run.id, "usage", {
    promptTokens: outcome.usage.promptTokens,
    completionTokens: outcome.usage.completionTokens,
    runTokens: runTokens + outcome.usage.promptTokens + outcome.usage.completionTokens,
  });
}
