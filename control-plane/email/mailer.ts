import { randomUUID } from "node:crypto";
import PgBoss from "pg-boss";
import type { Logger } from "pino";
import { currentLogContext, type LogContext, withLogContext } from "../logging.ts";
import type { EmailContent } from "./templates.ts";
import type { MailTransport, OutgoingMessage } from "./transport.ts";

export const EMAIL_QUEUE = "send-email";
/** Sign-in links live 15 minutes: they have a lane (queue and worker) of their own, so no other mail delays them. */
export const SIGN_IN_EMAIL_QUEUE = "send-email-sign-in";

/** Which lane a message takes: `sign-in` for mail carrying a sign-in link, `standard` for the rest. */
export type MailLane = "sign-in" | "standard";
const QUEUES: Record<MailLane, string> = { "sign-in": SIGN_IN_EMAIL_QUEUE, standard: EMAIL_QUEUE };

type QueuedMessage = OutgoingMessage & { context?: LogContext };

export interface MailerOptions {
  databaseUrl: string;
  transport: MailTransport;
  logger: Logger;
  /** Seconds before the first retry; later ones back off exponentially (pg-boss), for about a day and a half. */
  retryDelaySeconds?: number;
}

/**
 * Email goes through a durable queue (pg-boss, like reconciles): `send` only records the message, a worker
 * delivers it, and a failed delivery (SMTP down) is retried with backoff instead of being lost. Each lane has
 * its own queue and worker: a flood of other mail cannot hold up a sign-in link past its life.
 */
export class Mailer {
  readonly #boss: PgBoss;
  readonly #options: MailerOptions;

  constructor(options: MailerOptions) {
    this.#options = options;
    this.#boss = new PgBoss({
      connectionString: options.databaseUrl,
      schema: "pgboss",
      application_name: "websplat-email",
      max: 3,
      schedule: false,
    });
    this.#boss.on("error", (error) => options.logger.error({ err: error }, "email queue error"));
  }

  get transport(): MailTransport["kind"] {
    return this.#options.transport.kind;
  }

  async start(): Promise<void> {
    await this.#boss.start();
    for (const queue of Object.values(QUEUES)) {
      await this.#boss.createQueue(queue, {
        name: queue,
        policy: "standard",
        retryLimit: 16,
        retryDelay: this.#options.retryDelaySeconds ?? 1,
        retryBackoff: true,
        expireInSeconds: 120,
      });
      await this.#boss.work<QueuedMessage>(
        queue,
        { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true },
        // Logged under the request that queued the message, like the reconciles it sits beside.
        async ([job]) => (job ? withLogContext(job.data.context ?? {}, () => this.#deliver(job)) : undefined),
      );
    }
  }

  async #deliver(job: { data: QueuedMessage; retryCount: number; retryLimit: number }): Promise<void> {
    try {
      await this.#options.transport.deliver(job.data);
      this.#options.logger.info({ email: job.data.id, transport: this.transport }, "email delivered");
    } catch (error) {
      const final = job.retryCount >= job.retryLimit;
      this.#options.logger[final ? "error" : "warn"](
        { err: error, email: job.data.id, attempt: job.retryCount + 1 },
        final ? "email delivery failed for good" : "email delivery failed; it will be retried",
      );
      throw error;
    }
  }

  /** Queues a message to one address in its lane; resolves once it is durably recorded. */
  async send(to: string, content: EmailContent, options: { lane?: MailLane } = {}): Promise<string> {
    const { requestId, tenant } = currentLogContext();
    const message: QueuedMessage = {
      id: randomUUID(),
      to,
      date: new Date().toISOString(),
      ...content,
      context: { ...(requestId ? { requestId } : {}), ...(tenant ? { tenant } : {}) },
    };
    await this.#boss.send(QUEUES[options.lane ?? "standard"], message);
    return message.id;
  }

  async stop(): Promise<void> {
    await this.#boss.stop({ graceful: true, timeout: 5000, wait: true });
    this.#options.transport.close();
  }
}
