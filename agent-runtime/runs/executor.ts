import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { updateSpec } from "../agents/spec.ts";
import type { Workflow } from "../agents/workflow.ts";
import type { RuntimeConfig } from "../config.ts";
import type { Database } from "../db/index.ts";
import { interrupts, runs, steering, steps } from "../db/schema.ts";
import { RuntimeError } from "../http/errors.ts";
import type { LlmClient } from "../llm/index.ts";
import type { BuilderMetrics } from "../metrics.ts";
import type { RunPolicy } from "../policy/index.ts";
import { headCheckpoint } from "../store/checkpoints.ts";
import { loadTree } from "../store/files.ts";
import { reportFinishedRun } from "../support/run-report.ts";
import { inSpan } from "../tracing.ts";
import { runAgentStep } from "./agent-steps.ts";
import type { RunEventLog } from "./events.ts";
import { checkGates, type Gate, tokensUsedThisMonth } from "./gates.ts";
import { keepLease, LeaseLost, takeLease } from "./lease.ts";
import { commitStep } from "./step-commit.ts";
import { stopRun } from "./stop-run.ts";

export type Run = typeof runs.$inferSelect;

/** Why a run's signal was aborted. */
class StopRequested extends Error {}
class ShutdownRequested extends Error {}

export interface ExecutorDeps {
  db: Database;
  llm: LlmClient;
  config: RuntimeConfig;
  log: Logger;
  events: RunEventLog;
  metrics?: BuilderMetrics;
}

/**
 * Drives runs step by step: planner → approval gate → designer → builder → reviewer. After each step
 * the files, the workflow state, the usage and the events are committed in one transaction.
 */
export class RunExecutor {
  /** `host:pid:random`: a restarted process on the same host knows the runs it held are orphaned. */
  readonly instance = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #deps: ExecutorDeps;
  readonly #active = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(deps: ExecutorDeps) {
    this.#deps = deps;
  }

  isActive(runId: string): boolean {
    return this.#active.has(runId);
  }

  /** Starts driving a queued run in this process (no-op when already driven here). */
  start(runId: string): void {
    if (this.#active.has(runId)) return;
    const controller = new AbortController();
    const done = this.#drive(runId, controller.signal)
      .catch((error) => this.#deps.log.error({ err: error, runId }, "run driver failed"))
      .finally(() => this.#active.delete(runId));
    this.#active.set(runId, { controller, done });
  }

  /** Aborts the in-flight call and waits until the run is checkpointed and `stopped`. */
  async stop(runId: string): Promise<boolean> {
    const entry = this.#active.get(runId);
    if (!entry) return false;
    entry.controller.abort(new StopRequested("stopped by the owner"));
    await entry.done;
    return true;
  }

  /** SIGTERM: every run here is checkpointed as `interrupted`, to be resumed later. */
  async shutdown(): Promise<void> {
    const all = [...this.#active.values()];
    for (const entry of all) entry.controller.abort(new ShutdownRequested("runtime shutting down"));
    await Promise.allSettled(all.map((e) => e.done));
  }

  async #drive(runId: string, signal: AbortSignal): Promise<void> {
    const { db, events } = this.#deps;
    const leased = await takeLease(db, runId, this.instance);
    if (!leased) return;
    await events.append(db, runId, "run_status", { status: "running" });
    events.wake(runId);
    const releaseHeartbeat = keepLease(db, runId, this.instance);
    let stage = (leased.workflow as Workflow).stage;
    try {
      await this.#loop(leased, signal, (s) => {
        stage = s;
      });
    } catch (error) {
      const reason = signal.aborted ? signal.reason : error;
      if (reason instanceof StopRequested) await this.#finishStopped(runId, stage);
      else if (reason instanceof ShutdownRequested) await this.#finishInterrupted(runId);
      else if (!(reason instanceof LeaseLost)) await this.#finishFailed(runId, error);
    } finally {
      releaseHeartbeat();
    }
  }

  async #loop(run: Run, signal: AbortSignal, onStage: (stage: Workflow["stage"]) => void): Promise<void> {
    const { db, llm, config, events } = this.#deps;
    const policy = run.policy as RunPolicy;
    let wf = run.workflow as Workflow;
    let runTokens = run.promptTokens + run.completionTokens;
    while (wf.stage !== "done") {
      signal.throwIfAborted();
      wf = await this.#takeSteering(run, wf);
      onStage(wf.stage);
      const gate = checkGates({
        workflow: wf,
        runTokens,
        monthTokens: await tokensUsedThisMonth(db),
        monthLimit: config.limits.tokensPerMonth,
        tier: config.tier,
        loopThreshold: policy.loopThreshold,
      });
      if (gate)
        return this.#pause(run.id, wf, gate.kind, {
          reason: gate.reason,
          message: gate.message,
        } satisfies Omit<Gate, "kind">);
      if (wf.stage === "approve") {
        if (policy.requirePlanApproval && needsApproval(wf))
          return this.#pause(run.id, wf, "plan_approval", { plan: wf.plan });
        wf = { ...wf, stage: "design" };
        continue;
      }
      // An edit keeps the design: the designer runs only for a new site or a redesign.
      if (wf.stage === "design" && wf.change && wf.change.kind !== "redesign") {
        wf = { ...wf, stage: "build" };
        continue;
      }
      const head = await headCheckpoint(db, run.projectId);
      const stepKey = `${wf.stage}:${wf.stepsTaken}`;
      await db
        .insert(steps)
        .values({ runId: run.id, key: stepKey, agent: wf.stage, status: "running" })
        .onConflictDoUpdate({
          target: [steps.runId, steps.key],
          set: { status: "running", startedAt: sql`now()` },
        });
      await events.append(db, run.id, "step_started", { stage: wf.stage, key: stepKey });
      events.wake(run.id);
      const files = await loadTree(db, head.treeHash);
      const outcome = await inSpan(
        `agent.${wf.stage}`,
        { "websplat.run": run.id, "websplat.step": stepKey, "websplat.agent": wf.stage },
        () =>
          runAgentStep({
            workflow: wf,
            policy,
            seed: run.seed,
            files,
            llm,
            signal,
            onDelta: (agent, text) => events.live(run.id, { type: "delta", data: { agent, text } }),
          }),
      );
      signal.throwIfAborted();
      const next: Workflow = {
        ...outcome.workflow,
        stepsTaken: wf.stepsTaken + 1,
        recentActions: [...wf.recentActions, outcome.fingerprint].slice(-8),
      };
      const spent = outcome.usage.promptTokens + outcome.usage.completionTokens;
      this.#deps.metrics?.tokensUsed(outcome.agent, outcome.usage);
      await db.transaction((tx) =>
        commitStep(tx, events, {
          run,
          owner: this.instance,
          stepKey,
          before: wf,
          next,
          outcome,
          head,
          runTokens,
        }),
      );
      events.wake(run.id);
      runTokens += spent;
      wf = next;
      if (outcome.questions.length) {
        return this.#pause(run.id, { ...wf, stage: "plan" }, "question", { questions: outcome.questions });
      }
    }
    await this.#finish(run.id, "completed", { message: "Done: your site is ready in the preview." });
  }

  /** Prompts sent while the run was busy: folded into the spec, and the plan is redone. */
  async #takeSteering(run: Run, wf: Workflow): Promise<Workflow> {
    const { db, events } = this.#deps;
    const pending = await db
      .update(steering)
      .set({ consumedAt: sql`now()` })
      .where(and(eq(steering.runId, run.id), isNull(steering.consumedAt)))
      .returning();
    if (pending.length === 0) return wf;
    let spec = wf.spec;
    for (const p of pending.sort((a, b) => a.id - b.id)) spec = updateSpec(spec, p.text);
    await events.append(db, run.id, "steered", { prompts: pending.map((p) => p.text) });
    events.wake(run.id);
    const request = wf.request ?? { prompts: [run.prompt], selection: null };
    return {
      ...wf,
      spec,
      request: { ...request, prompts: [...request.prompts, ...pending.map((p) => p.text)] },
      previousPlan: wf.plan ?? wf.previousPlan,
      stage: "plan",
      review: undefined,
      repairs: 0,
    };
  }

  async #pause(runId: string, wf: Workflow, kind: string, payload: unknown): Promise<void> {
    const { db, events } = this.#deps;
    await db.transaction(async (tx) => {
      const [row] = await tx.insert(interrupts).values({ runId, kind, payload }).returning();
      await tx
        .update(runs)
        .set({
          status: "awaiting_input",
          workflow: wf,
          leaseOwner: null,
          leaseExpiresAt: null,
          updatedAt: sql`now()`,
        })
        .where(eq(runs.id, runId));
      await events.append(tx, runId, "interrupt", { id: row!.id, kind, payload });
      await events.append(tx, runId, "run_status", { status: "awaiting_input" });
    });
    events.wake(runId);
  }

  async #finish(
    runId: string,
    status: "completed" | "failed" | "interrupted",
    detail: { message: string; code?: string },
  ) {
    const { db, events } = this.#deps;
    await db.transaction(async (tx) => {
      await tx
        .update(runs)
        .set({
          status,
          leaseOwner: null,
          leaseExpiresAt: null,
          updatedAt: sql`now()`,
          finishedAt: status === "interrupted" ? null : sql`now()`,
          error: status === "failed" ? { code: detail.code, message: detail.message } : null,
        })
        .where(eq(runs.id, runId));
      await events.append(tx, runId, "run_status", { status, ...detail });
    });
    this.#deps.metrics?.runFinished(status);
    this.#deps.log.info({ runId, status }, "run finished");
    events.wake(runId);
    if (status !== "interrupted") void reportFinishedRun(this.#deps, runId);
  }

  #finishFailed(runId: string, error: unknown) {
    const known = error instanceof RuntimeError;
    if (!known) this.#deps.log.error({ err: error, runId }, "run failed");
    return this.#finish(runId, "failed", {
      code: known ? error.code : "run_failed",
      message: known ? error.message : "The run failed on an unexpected error; it was logged. Try again.",
    });
  }

  #finishInterrupted(runId: string) {
    return this.#finish(runId, "interrupted", {
      message: "The runtime restarted during this run; resume it to go on.",
    });
  }

  /** Repairs the transcript (the half-streamed answer is dropped, a note says where it stopped) and checkpoints. */
  async #finishStopped(runId: string, stage: Workflow["stage"]) {
    await stopRun(
      this.#deps,
      runId,
      `Stopped during the ${stage} step; the site is as of the last checkpoint.`,
    );
  }
}

/** A new site and a change of structure or design are shown for approval; a narrow edit is not. */
const needsApproval = (wf: Workflow) =>
  !wf.change || wf.change.kind === "structure" || wf.change.kind === "redesign";
