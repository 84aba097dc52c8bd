import { and, eq, inArray } from "drizzle-orm";
import { describeDiff, diffFiles, type SiteDiff } from "../agents/diff.ts";
import type { Database } from "../db/index.ts";
import { checkpoints } from "../db/schema.ts";
import { RuntimeError } from "../http/errors.ts";
import { type Files, loadTree } from "../store/files.ts";

// What each checkpoint changed, and a comparison of any two. Trees are content-addressed and never
// change, so parsed trees are cached by hash.

const cache = new Map<string, Files>();
async function tree(db: Database, hash: string): Promise<Files> {
  const hit = cache.get(hash);
  if (hit) return hit;
  const files = await loadTree(db, hash);
  if (cache.size > 200) cache.delete(cache.keys().next().value!);
  cache.set(hash, files);
  return files;
}

export interface CheckpointChange {
  checkpointId: string;
  summary: string;
  diff: SiteDiff;
}

/** For every checkpoint whose files differ from its parent's: what changed. */
export async function checkpointChanges(db: Database, projectId: string): Promise<CheckpointChange[]> {
  const rows = await db
    .select({ id: checkpoints.id, parentId: checkpoints.parentId, treeHash: checkpoints.treeHash })
    .from(checkpoints)
    .where(eq(checkpoints.projectId, projectId));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const changes: CheckpointChange[] = [];
  for (const row of rows) {
    const parent = row.parentId ? byId.get(row.parentId) : undefined;
    if (!parent || parent.treeHash === row.treeHash) continue;
    const diff = diffFiles(await tree(db, parent.treeHash), await tree(db, row.treeHash));
    changes.push({ checkpointId: row.id, summary: describeDiff(diff), diff });
  }
  return changes;
}

/** What changed from one checkpoint of the project to another (in either direction). */
export async function compareCheckpoints(db: Database, projectId: string, fromId: string, toId: string) {
  const found = await db
    .select({ id: checkpoints.id, treeHash: checkpoints.treeHash, label: checkpoints.label })
    .from(checkpoints)
    .where(and(eq(checkpoints.projectId, projectId), inArray(checkpoints.id, [fromId, toId])));
  const from = found.find((c) => c.id === fromId);
  const to = found.find((c) => c.id === toId);
  if (!from || !to) {
    throw new RuntimeError(
      "checkpoint_not_found",
      "One of the checkpoints to compare is not in this site's timeline; reload the page.",
      404,
    );
  }
  const diff = diffFiles(await tree(db, from.treeHash), await tree(db, to.treeHash));
  return { from: from.id, to: to.id, summary: describeDiff(diff), diff };
}
