import { and, asc, desc, eq, isNull } from "drizzle-orm";
import type { Database, Transaction } from "../db/index.ts";
import { branches, checkpoints, messages } from "../db/schema.ts";
import { type Files, saveTree } from "./files.ts";

export type Checkpoint = typeof checkpoints.$inferSelect;
export type CheckpointKind = "initial" | "plan" | "design" | "build" | "review" | "stop" | "restore";

export async function mainBranch(db: Database | Transaction, projectId: string) {
  const [branch] = await db
    .select()
    .from(branches)
    .where(and(eq(branches.projectId, projectId), eq(branches.name, "main")));
  if (!branch) throw new Error(`project ${projectId} has no main branch`);
  return branch;
}

export async function headCheckpoint(db: Database | Transaction, projectId: string): Promise<Checkpoint> {
  const branch = await mainBranch(db, projectId);
  const [head] = await db.select().from(checkpoints).where(eq(checkpoints.id, branch.headCheckpointId!));
  if (!head) throw new Error(`project ${projectId} has no head checkpoint`);
  return head;
}

/** Message ids the owner currently sees, oldest first. */
export async function visibleConversation(tx: Database | Transaction, projectId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.projectId, projectId), isNull(messages.supersededAt)))
    .orderBy(asc(messages.seq));
  return rows.map((r) => r.id);
}

export interface NewCheckpoint {
  projectId: string;
  runId: string | null;
  kind: CheckpointKind;
  label: string;
  /** The files, or an existing tree's hash when they did not change. */
  files: Files | { treeHash: string };
  workflow: unknown;
  conversation?: string[];
  restoreScope?: string;
  restoredFromId?: string;
}

/** Writes a checkpoint as a child of the head and moves the head to it; call inside a transaction. */
export async function writeCheckpoint(tx: Transaction, input: NewCheckpoint): Promise<Checkpoint> {
  const branch = await mainBranch(tx, input.projectId);
  const treeHash =
    "treeHash" in input.files ? (input.files.treeHash as string) : await saveTree(tx, input.files);
  const [checkpoint] = await tx
    .insert(checkpoints)
    .values({
      projectId: input.projectId,
      branchId: branch.id,
      parentId: branch.headCheckpointId,
      runId: input.runId,
      kind: input.kind,
      label: input.label,
      treeHash,
      workflow: input.workflow,
      conversation: input.conversation ?? (await visibleConversation(tx, input.projectId)),
      restoreScope: input.restoreScope,
      restoredFromId: input.restoredFromId,
    })
    .returning();
  await tx.update(branches).set({ headCheckpointId: checkpoint!.id }).where(eq(branches.id, branch.id));
  return checkpoint!;
}

export async function listCheckpoints(db: Database, projectId: string) {
  const branch = await mainBranch(db, projectId);
  const rows = await db
    .select({
      id: checkpoints.id,
      parentId: checkpoints.parentId,
      runId: checkpoints.runId,
      kind: checkpoints.kind,
      label: checkpoints.label,
      treeHash: checkpoints.treeHash,
      restoreScope: checkpoints.restoreScope,
      restoredFromId: checkpoints.restoredFromId,
      createdAt: checkpoints.createdAt,
    })
    .from(checkpoints)
    .where(eq(checkpoints.projectId, projectId))
    .orderBy(desc(checkpoints.createdAt));
  return { head: branch.headCheckpointId, checkpoints: rows };
}
