import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import { emptySpec, updateSpec } from "../agents/spec.ts";
import type { Workflow } from "../agents/workflow.ts";
import type { Database } from "../db/index.ts";
import { interrupts, messages, projects, runs, steering } from "../db/schema.ts";
import { RuntimeError } from "../http/errors.ts";
import { hashText } from "../llm/offline/random.ts";
import { compilePolicy, type RunPolicy } from "../policy/index.ts";
import { headCheckpoint } from "../store/checkpoints.ts";
import type { ExecutorDeps, RunExecutor } from "./executor.ts";
import { tokensUsedThisMonth } from "./gates.ts";
import { newRunWorkflow, type StartRunInput } from "./new-run.ts";
import { conversationOf, createProject, notFound, restoreCheckpoint } from "./projects.ts";
import { recoverOrphanedRuns } from "./recovery.ts";
import { activeStatuses } from "./status.ts";
import { stopRun } from "./stop-run.ts";

export type { StartRunInput } from "./new-run.ts";

const isId = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** The builder's operations behind the HTTP API: projects, runs, input, stop, rollback, recovery. */
export class BuilderService {
  readonly #deps: ExecutorDeps;
  readonly #executor: RunExecutor;

  constructor(deps: ExecutorDeps, executor: RunExecutor) {
    this.#deps = deps;
    this.#executor = executor;
  }

  get #db(): Database {
    return this.#deps.db;
  }

  async usage() {
    const { limits, tier } = this.#deps.config;
    const [row] = await this.#db.select({ n: count() }).from(projects);
    return {
      tier,
      monthTokens: await tokensUsedThisMonth(this.#db),
      monthLimit: limits.tokensPerMonth,
      sites: row?.n ?? 0,
      sitesLimit: limits.sites,
    };
  }

  async listProjects() {
    return this.#db.select().from(projects).orderBy(asc(projects.createdAt));
  }

  /** A project (a site) with its main branch and an empty initial checkpoint; the tier's site limit holds. */
  async createProject(name: string) {
    return createProject(this.#db, this.#deps.config, name);
  }

  async project(id: string) {
    if (!isId(id)) throw notFound("project");
    const [project] = await this.#db.select().from(projects).where(eq(projects.id, id));
    if (!project) throw notFound("project");
    return project;
  }

  async activeRun(projectId: string) {
    const [run] = await this.#db
      .select()
      .from(runs)
      .where(and(eq(runs.projectId, projectId), inArray(runs.status, [...activeStatuses])))
      .orderBy(desc(runs.createdAt))
      .limit(1);
    return run;
  }

  /** A new run from the head; while one is busy, the prompt steers it instead. */
  async startRun(projectId: string, input: StartRunInput) {
    await this.project(projectId);
    const busy = await this.activeRun(projectId);
    if (busy) {
      await this.steer(busy.id, input.prompt);
      return { run: busy, steered: true };
    }
    const policy = compilePolicy({
      autonomy: input.autonomy,
      creativity: input.creativity,
      tier: this.#deps.config.tier,
    });
    const run = await this.#db.transaction(async (tx) => {
      const head = await headCheckpoint(tx, projectId);
      const previous = head.workflow as Partial<Workflow>;
      const spec = updateSpec(previous.spec ?? emptySpec(), input.prompt);
      const workflow = newRunWorkflow(previous, spec, input, policy);
      const [created] = await tx
        .insert(runs)
        .values({
          projectId,
          status: "queued",
          prompt: input.prompt,
          autonomy: input.autonomy,
          creativity: input.creativity,
          seed: input.seed ?? hashText(`${projectId}:${input.prompt}`) % 2 ** 31,
          policy,
          workflow,
          baseCheckpointId: head.id,
        })
        .returning();
      await tx.update(projects).set({ spec }).where(eq(projects.id, projectId));
      const [message] = await tx
        .insert(messages)
        .values({ projectId, runId: created!.id, role: "user", content: input.prompt })
        .returning();
      await this.#deps.events.append(tx, created!.id, "message", {
        id: message!.id,
        role: "user",
        content: input.prompt,
      });
      await this.#deps.events.append(tx, created!.id, "run_status", { status: "queued" });
      return created!;
    });
    this.#executor.start(run.id);
    return { run, steered: false };
  }

  async run(id: string) {
    if (!isId(id)) throw notFound("run");
    const [run] = await this.#db.select().from(runs).where(eq(runs.id, id));
    if (!run) throw notFound("run");
    return run;
  }

  async runView(id: string) {
    const run = await this.run(id);
    const open = await this.#db
      .select()
      .from(interrupts)
      .where(and(eq(interrupts.runId, id), eq(interrupts.status, "open")))
      .orderBy(asc(interrupts.createdAt));
    const wf = run.workflow as Workflow;
    return {
      id: run.id,
      projectId: run.projectId,
      status: run.status,
      prompt: run.prompt,
      autonomy: run.autonomy,
      creativity: run.creativity,
      seed: run.seed,
      policy: run.policy as RunPolicy,
      stage: wf.stage,
      plan: wf.plan ?? null,
      superseded: wf.superseded,
      usage: {
        promptTokens: run.promptTokens,
        completionTokens: run.completionTokens,
        monthTokens: await tokensUsedThisMonth(this.#db),
        monthLimit: this.#deps.config.limits.tokensPerMonth,
      },
      pending: open.filter((i) => i.kind !== "suggestion"),
      suggestions: open.filter((i) => i.kind === "suggestion"),
      error: run.error,
      createdAt: run.createdAt,
      finishedAt: run.finishedAt,
    };
  }

  async steer(runId: string, text: string) {
    const run = await this.run(runId);
    if (!activeStatuses.includes(run.status as never)) {
      throw new RuntimeError(
        "run_finished",
        "This run has finished; send the prompt as a new run instead.",
        409,
      );
    }
    await this.#db.insert(steering).values({ runId, text });
    const [message] = await this.#db
      .insert(messages)
      .values({ projectId: run.projectId, runId, role: "user", content: text })
      .returning();
    await this.#deps.events.append(this.#db, runId, "message", {
      id: message!.id,
      role: "user",
      content: text,
      steering: true,
    });
    this.#deps.events.wake(runId);
  }

  async stop(runId: string) {
    const run = await this.run(runId);
    if (await this.#executor.stop(runId)) return this.run(runId);
    if (["queued", "running", "awaiting_input", "interrupted"].includes(run.status)) {
      await stopRun(this.#deps, runId, "Stopped; the site is as of the last checkpoint.");
      return this.run(runId);
    }
    throw new RuntimeError("run_finished", `This run is already ${run.status}.`, 409);
  }

  /** Resolves an open interrupt (or resumes an interrupted run) and lets the run go on. */
  async resolve(
    runId: string,
    kinds: string[],
    update: (wf: Workflow, payload: unknown) => Workflow,
    answer: unknown,
  ) {
    const run = await this.run(runId);
    if (run.status !== "awaiting_input") {
      throw new RuntimeError("not_waiting", `This run is ${run.status}, not waiting for your input.`, 409);
    }
    const resumed = await this.#db.transaction(async (tx) => {
      const [open] = await tx
        .select()
        .from(interrupts)
        .where(
          and(eq(interrupts.runId, runId), eq(interrupts.status, "open"), inArray(interrupts.kind, kinds)),
        )
        .for("update");
      if (!open) return false;
      await tx
        .update(interrupts)
        .set({ status: "resolved", answer, resolvedAt: sql`now()` })
        .where(eq(interrupts.id, open.id));
      const workflow = update(run.workflow as Workflow, open.payload);
      await tx
        .update(runs)
        .set({ status: "queued", workflow, updatedAt: sql`now()` })
        .where(eq(runs.id, runId));
      await this.#deps.events.append(tx, runId, "input", { kind: open.kind, answer });
      await this.#deps.events.append(tx, runId, "run_status", { status: "queued" });
      return true;
    });
    if (!resumed)
      throw new RuntimeError("nothing_pending", `This run is not waiting for ${kinds.join(" or ")}.`, 409);
    this.#deps.events.wake(runId);
    this.#executor.start(runId);
  }

  async acceptSuggestion(runId: string, interruptId: string) {
    const run = await this.run(runId);
    const [suggestion] = await this.#db
      .update(interrupts)
      .set({ status: "accepted", resolvedAt: sql`now()` })
      .where(
        and(
          eq(interrupts.id, interruptId),
          eq(interrupts.runId, runId),
          eq(interrupts.kind, "suggestion"),
          eq(interrupts.status, "open"),
        ),
      )
      .returning();
    if (!suggestion)
      throw new RuntimeError("suggestion_not_found", "That suggestion is no longer open.", 404);
    const idea = suggestion.payload as { id: string; title: string; prompt?: string; sectionId?: string };
    const prompt = idea.prompt ?? `Add the ${idea.title} section. [section:${idea.id}:${idea.title}]`;
    if (activeStatuses.includes(run.status as never)) {
      await this.steer(runId, prompt);
      return { runId, steered: true };
    }
    const { run: next } = await this.startRun(run.projectId, {
      prompt,
      autonomy: run.autonomy,
      creativity: run.creativity,
      seed: run.seed,
      sectionId: idea.sectionId ?? null,
    });
    return { runId: next.id, steered: false };
  }

  async resume(runId: string) {
    const run = await this.run(runId);
    if (run.status !== "interrupted")
      throw new RuntimeError(
        "not_interrupted",
        `Only an interrupted run can be resumed; this one is ${run.status}.`,
        409,
      );
    await this.#db
      .update(runs)
      .set({ status: "queued", updatedAt: sql`now()` })
      .where(and(eq(runs.id, runId), eq(runs.status, "interrupted")));
    await this.#deps.events.append(this.#db, runId, "run_status", { status: "queued", resumed: true });
    this.#executor.start(runId);
  }

  /** Runs a crashed process left behind become `interrupted`, to be resumed. */
  async recoverOrphanedRuns(atStart: boolean): Promise<string[]> {
    return recoverOrphanedRuns(this.#db, this.#deps.events, atStart);
  }

  /** A new `restore` checkpoint with the target's files, conversation or both; history is kept. */
  async rollback(projectId: string, checkpointId: string, scope: "files" | "conversation" | "both") {
    await this.project(projectId);
    const busy = await this.activeRun(projectId);
    if (busy) {
      throw new RuntimeError(
        "run_active",
        `A run is ${busy.status.replace("_", " ")}; stop it before rolling back.`,
        409,
      );
    }
    const restored = await restoreCheckpoint(this.#db, projectId, checkpointId, scope);
    return { checkpoint: restored, previousHeadId: restored.parentId };
  }

  async conversation(projectId: string) {
    return conversationOf(this.#db, projectId);
  }

  async runsOf(projectId: string) {
    return this.#db
      .select({ id: runs.id, status: runs.status, prompt: runs.prompt, createdAt: runs.createdAt })
      .from(runs)
      .where(eq(runs.projectId, projectId))
      .orderBy(desc(runs.createdAt));
  }
}
