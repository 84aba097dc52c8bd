import { and, asc, count, eq, inArray, isNull, notInArray, sql } from "drizzle-orm";
import { emptySpec } from "../agents/spec.ts";
import type { Workflow } from "../agents/workflow.ts";
import type { RuntimeConfig } from "../config.ts";
import type { Database } from "../db/index.ts";
import { branches, checkpoints, messages, projects } from "../db/schema.ts";
import { RuntimeError } from "../http/errors.ts";
import { headCheckpoint, writeCheckpoint } from "../store/checkpoints.ts";

// A project's own history: its creation, its checkpoints restored, the conversation that is shown.

export const notFound = (what: string) =>
  new RuntimeError(`${what}_not_found`, `No such ${what}; reload the page.`, 404);

/** A project (a site) with its main branch and an empty initial checkpoint; the tier's site limit holds. */
export async function createProject(
  db: Database,
  config: Pick<RuntimeConfig, "limits" | "tier">,
  name: string,
) {
  const { limits, tier } = config;
  return db.transaction(async (tx) => {
    // Serialises concurrent creations so the limit cannot be overshot.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('websplat-projects'))`);
    const [row] = await tx.select({ n: count() }).from(projects);
    if ((row?.n ?? 0) >= limits.sites) {
      throw new RuntimeError(
        "sites_limit_reached",
        `Your ${tier} plan includes ${limits.sites} site${limits.sites === 1 ? "" : "s"} and all are in use. Upgrade your plan to build more.`,
        403,
      );
    }
    const [project] = await tx.insert(projects).values({ name, spec: emptySpec() }).returning();
    await tx.insert(branches).values({ projectId: project!.id, name: "main" });
    await writeCheckpoint(tx, {
      projectId: project!.id,
      runId: null,
      kind: "initial",
      label: "Empty site",
      files: {},
      workflow: {},
      conversation: [],
    });
    return project!;
  });
}

/** A new `restore` checkpoint with the target's files, conversation or both; history is kept. */
export async function restoreCheckpoint(
  db: Database,
  projectId: string,
  checkpointId: string,
  scope: "files" | "conversation" | "both",
) {
  return db.transaction(async (tx) => {
    const [target] = await tx
      .select()
      .from(checkpoints)
      .where(and(eq(checkpoints.id, checkpointId), eq(checkpoints.projectId, projectId)));
    if (!target) throw notFound("checkpoint");
    const head = await headCheckpoint(tx, projectId);
    const files = scope !== "conversation";
    const conversation = scope !== "files" ? target.conversation : head.conversation;
    if (scope !== "files") {
      const now = new Date();
      await tx
        .update(messages)
        .set({ supersededAt: now })
        .where(
          and(
            eq(messages.projectId, projectId),
            isNull(messages.supersededAt),
            conversation.length ? notInArray(messages.id, conversation) : sql`true`,
          ),
        );
      if (conversation.length)
        await tx.update(messages).set({ supersededAt: null }).where(inArray(messages.id, conversation));
    }
    const workflow = files ? target.workflow : head.workflow;
    const spec = (workflow as Partial<Workflow>).spec ?? emptySpec();
    await tx.update(projects).set({ spec }).where(eq(projects.id, projectId));
    return writeCheckpoint(tx, {
      projectId,
      runId: null,
      kind: "restore",
      label: `Restored ${scope === "both" ? "files and conversation" : scope} from “${target.label}”`,
      files: { treeHash: files ? target.treeHash : head.treeHash },
      workflow,
      conversation,
      restoreScope: scope,
      restoredFromId: target.id,
    });
  });
}

/** The messages of a project's conversation that a rollback has not set aside, in order. */
export async function conversationOf(db: Database, projectId: string) {
  return db
    .select({
      id: messages.id,
      role: messages.role,
      content: messages.content,
      runId: messages.runId,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(and(eq(messages.projectId, projectId), isNull(messages.supersededAt)))
    .orderBy(asc(messages.seq));
}
