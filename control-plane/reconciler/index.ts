import { and, eq, inArray, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { operations, tenants } from "../db/schema.ts";
import { currentLogContext, withLogContext } from "../logging.ts";
import { holdInstanceLock, instanceAlive, ReconcileBusyError } from "./locks.ts";
import { type ReconcileJob, ReconcileQueue } from "./queue.ts";
import { type ReconcilerDeps, reconcileTenant } from "./reconcile.ts";

export interface ReconcilerOptions extends Omit<ReconcilerDeps, "instanceKey"> {
  databaseUrl: string;
  workers: number;
  retryLimit: number;
  logger: Logger;
  /** How often lagging tenants are looked for. */
  resyncIntervalMs?: number;
}

/** A job taken this long ago whose operation never started was taken by a worker that died. */
const ORPHANED_JOB_MS = 20_000;

const SLOW_RESYNC_MS = 5 * 60_000;

const RETENTION_REASON = "retention deadline";

/**
 * Turns "this tenant changed" into reconciles: the durable queue, the per-instance liveness lock,
 * recovery of operations a crashed instance left running, and a periodic resync of lagging tenants.
 */
export class Reconciler {
  readonly queue: ReconcileQueue;
  readonly #options: ReconcilerOptions;
  readonly #deps: ReconcilerDeps;
  readonly instanceKey = Math.floor(Math.random() * 2 ** 31);
  #releaseInstanceLock: (() => Promise<void>) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #lastSlowResync = 0;
  #stopped = false;
  #startedAt = new Date();

  constructor(options: ReconcilerOptions) {
    this.#options = options;
    this.queue = new ReconcileQueue({
      url: options.databaseUrl,
      workers: options.workers,
      retryLimit: options.retryLimit,
      expireInSeconds: options.driver.kind === "local" ? 300 : 3 * 3600,
      onError: (error) => options.logger.warn({ err: error }, "queue error"),
    });
    this.#deps = { ...options, instanceKey: this.instanceKey };
  }

  async start(): Promise<void> {
    this.#startedAt = new Date();
    this.#releaseInstanceLock = await holdInstanceLock(this.#options.sql, this.instanceKey);
    await this.queue.start((job, meta) => this.#run(job, meta));
    await this.resync({ startup: true });
    this.#timer = setInterval(() => {
      this.resync().catch((error) => this.#options.logger.warn({ err: error }, "resync failed"));
    }, this.#options.resyncIntervalMs ?? 5000);
    this.#timer.unref();
  }

  /** Asks for a reconcile of `slug`; an operation already waiting to start is reused (it will read the latest state). */
  async request(slug: string, reason: string, options: { at?: Date } = {}): Promise<string> {
    const { operations: log } = this.#options;
    if (!options.at) {
      // Only one with a job: an operation whose control plane died before enqueueing it would never start.
      const waiting = (await log.open(slug)).find(
        // A reconcile scheduled for a retention deadline runs later: it must not stand in for one needed now
        // (a subscription resumed after a cancellation would wait until the deletion date).
        (op) =>
          op.kind === "reconcile" &&
          op.status === "queued" &&
          op.jobId !== null &&
          op.reason !== RETENTION_REASON,
      );
      if (waiting) return waiting.id;
    }
    const operation = await log.create({ slug, kind: "reconcile", reason });
    const { requestId } = currentLogContext();
    const jobId = await this.queue.enqueue(
      { slug, operationId: operation.id, ...(requestId ? { requestId } : {}) },
      { startAfter: options.at },
    );
    this.#options.logger.info({ tenant: slug, operation: operation.id, reason }, "reconcile requested");
    await log.update(operation.id, { jobId });
    return operation.id;
  }

  async #run(job: ReconcileJob, meta: { attempt: number; finalAttempt: boolean }) {
    const context = { requestId: job.requestId, tenant: job.slug, operation: job.operationId };
    try {
      await withLogContext(context, async () => {
        const { requeueAfter } = await reconcileTenant(this.#deps, job, meta);
        if (requeueAfter) await this.request(job.slug, RETENTION_REASON, { at: requeueAfter });
      });
    } catch (error) {
      if (!(error instanceof ReconcileBusyError)) throw error;
      // Not a failure: run again shortly, without using up a retry.
      await this.queue.enqueue(job, { startAfter: new Date(Date.now() + 500) });
    }
  }

  /**
   * Level-triggered safety net: operations of dead instances are marked interrupted, and every tenant whose
   * observed state lags its desired state (or whose runtime is missing after a restart) gets a reconcile.
   */
  async resync(options: { startup?: boolean } = {}): Promise<void> {
    if (this.#stopped) return;
    const { db } = this.#options;
    await this.#recoverInterrupted();
    const slow = options.startup || Date.now() - this.#lastSlowResync > SLOW_RESYNC_MS;
    if (slow) this.#lastSlowResync = Date.now();
    const lagging = await db
      .select({ slug: tenants.slug })
      .from(tenants)
      .where(
        and(
          ne(tenants.status, "awaiting_payment"),
          or(
            and(
              lt(tenants.observedGeneration, tenants.generation),
              slow ? undefined : ne(tenants.status, "failed"),
            ),
            and(sql`${tenants.deleteAfter} <= now()`, ne(tenants.desired, "deleted")),
          ),
        ),
      );
    const slugs = new Set(lagging.map((row) => row.slug));
    const { driver } = this.#options;
    const runtimes = driver.runtimes;
    if (options.startup && runtimes) {
      const active = await db
        .select({ slug: tenants.slug })
        .from(tenants)
        .where(and(eq(tenants.desired, "active"), inArray(tenants.status, ["active", "provisioning"])));
      for (const { slug } of active) {
        if (runtimes.route(slug) !== null) continue;
        // With scale to zero, a provisioned tenant's runtime starts on its next request, not at boot.
        if (runtimes.wakeOnDemand && (await driver.outputs(slug)) !== null) continue;
        slugs.add(slug);
      }
    }
    for (const slug of slugs) {
      const open = await this.#options.operations.open(slug);
      if (open.length === 0) await this.request(slug, options.startup ? "control plane started" : "resync");
    }
  }

  async #recoverInterrupted(): Promise<void> {
    const { db, sql: client, operations: log } = this.#options;
    const running = await db
      .select({
        id: operations.id,
        slug: operations.slug,
        instanceKey: operations.instanceKey,
        jobId: operations.jobId,
      })
      .from(operations)
      .where(
        and(
          eq(operations.status, "running"),
          or(
            ne(operations.instanceKey, this.instanceKey),
            // Recorded without an instance (before stack operations carried one): only an earlier start's.
            and(isNull(operations.instanceKey), lt(operations.createdAt, this.#startedAt)),
          ),
        ),
      );
    const dead = new Map<number, boolean>();
    for (const op of running) {
      if (op.instanceKey === null) dead.set(-1, true);
      else if (!dead.has(op.instanceKey)) {
        dead.set(op.instanceKey, !(await instanceAlive(client, op.instanceKey)));
      }
      if (!dead.get(op.instanceKey ?? -1)) continue;
      await log.append(
        op.id,
        "The control plane stopped during this operation; a new reconcile takes over",
        "warn",
      );
      await log.update(op.id, {
        status: "interrupted",
        error: { code: "interrupted", message: "The control plane stopped during this operation." },
        finished: true,
      });
      if (op.jobId) await this.queue.cancel(op.jobId);
      await this.request(op.slug, "resume after interruption");
    }
    // A control plane killed between recording an operation and enqueueing its job leaves it queued for ever.
    const unqueued = await db
      .select({ id: operations.id, slug: operations.slug })
      .from(operations)
      .where(
        and(
          eq(operations.status, "queued"),
          isNull(operations.jobId),
          lt(operations.createdAt, this.#startedAt),
        ),
      );
    // A worker marks its operation running right after taking the job; one that died in between leaves the job
    // active (until the queue's 5-minute expiry) and the operation queued, and every request reuses it meanwhile.
    const taken = await db
      .select({ id: operations.id, slug: operations.slug, jobId: operations.jobId })
      .from(operations)
      .where(and(eq(operations.status, "queued"), isNotNull(operations.jobId)));
    for (const op of taken) {
      const since = await this.queue.activeSince(op.jobId!);
      if (!since || Date.now() - since.getTime() < ORPHANED_JOB_MS) continue;
      await this.queue.cancel(op.jobId!);
      unqueued.push({ id: op.id, slug: op.slug });
    }
    for (const op of unqueued) {
      await log.update(op.id, {
        status: "interrupted",
        error: {
          code: "interrupted",
          message: "The control plane stopped before this operation was queued.",
        },
        finished: true,
      });
      await this.request(op.slug, "resume after interruption");
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.queue.stop();
    await this.#releaseInstanceLock?.();
  }
}
