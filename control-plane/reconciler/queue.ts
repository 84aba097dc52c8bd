import PgBoss from "pg-boss";
import { inSpan, type TraceCarrier, traceCarrier } from "../tracing.ts";

export interface ReconcileJob {
  slug: string;
  operationId: string;
  /** The request that asked for this reconcile: its log lines carry the same id. */
  requestId?: string;
  /** Trace context of whoever asked: the job's span continues their trace across the queue. */
  trace?: TraceCarrier;
}

export interface QueueOptions {
  url: string;
  workers: number;
  retryLimit: number;
  /** How long a job may stay active before the queue considers its worker dead. */
  expireInSeconds: number;
  onError: (error: Error) => void;
}

export const RECONCILE_QUEUE = "reconcile-tenant";

/**
 * The reconcile queue (pg-boss, in its own `pgboss` schema): durable, retried with exponential
 * backoff, picked up at once by this process's workers and by polling everywhere else.
 * One-at-a-time per tenant is enforced by the reconciler's advisory lock, not by the queue policy.
 */
export class ReconcileQueue {
  readonly #boss: PgBoss;
  readonly #options: QueueOptions;
  readonly #workerIds: string[] = [];

  constructor(options: QueueOptions) {
    this.#options = options;
    this.#boss = new PgBoss({
      connectionString: options.url,
      schema: "pgboss",
      application_name: "websplat-queue",
      max: Math.max(4, options.workers + 2),
      // The reconciler's own sweep re-enqueues what is lagging; pg-boss only needs its maintenance.
      schedule: false,
      archiveCompletedAfterSeconds: 3600,
      deleteAfterDays: 7,
    });
    this.#boss.on("error", options.onError);
  }

  async start(
    handler: (job: ReconcileJob, meta: { attempt: number; finalAttempt: boolean }) => Promise<void>,
  ) {
    await this.#boss.start();
    await this.#boss.createQueue(RECONCILE_QUEUE, {
      name: RECONCILE_QUEUE,
      policy: "standard",
      retryLimit: this.#options.retryLimit,
      retryDelay: 1,
      retryBackoff: true,
      expireInSeconds: this.#options.expireInSeconds,
    });
    for (let i = 0; i < this.#options.workers; i++) {
      const id = await this.#boss.work<ReconcileJob>(
        RECONCILE_QUEUE,
        { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: 2 },
        async ([job]) => {
          if (!job) return;
          await inSpan(
            "reconcile",
            {
              "websplat.tenant": job.data.slug,
              "websplat.operation": job.data.operationId,
              "websplat.request_id": job.data.requestId,
              "websplat.attempt": job.retryCount + 1,
            },
            () =>
              handler(job.data, {
                attempt: job.retryCount + 1,
                finalAttempt: job.retryCount >= job.retryLimit,
              }),
            { parent: job.data.trace, kind: "consumer" },
          );
        },
      );
      this.#workerIds.push(id);
    }
  }

  async enqueue(job: ReconcileJob, options: { startAfter?: Date } = {}): Promise<string | null> {
    const trace = job.trace ?? traceCarrier();
    const id = await this.#boss.send(
      RECONCILE_QUEUE,
      trace ? { ...job, trace } : job,
      options.startAfter ? { startAfter: options.startAfter } : {},
    );
    // Wake one idle worker now instead of waiting for its next poll.
    if (!options.startAfter) for (const worker of this.#workerIds) this.#boss.notifyWorker(worker);
    return id;
  }

  async cancel(jobId: string): Promise<void> {
    await this.#boss.cancel(RECONCILE_QUEUE, jobId).catch(() => {});
  }

  /** When the job was taken by a worker and is still being worked on; null otherwise. */
  async activeSince(jobId: string): Promise<Date | null> {
    const job = await this.#boss.getJobById(RECONCILE_QUEUE, jobId).catch(() => null);
    return job?.state === "active" ? new Date(job.startedOn) : null;
  }

  async depth(): Promise<number> {
    return await this.#boss.getQueueSize(RECONCILE_QUEUE);
  }

  /** Stops fetching, waits for running jobs (up to `timeoutMs`), closes connections. */
  async stop(timeoutMs = 20_000): Promise<void> {
    await this.#boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
  }
}
