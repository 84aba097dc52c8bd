import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { and, asc, isNull, lt } from "drizzle-orm";
import type { Logger } from "pino";
import { stripeEvents } from "../db/schema.ts";
import { ErrorSchema } from "../http/api-route.ts";
import { errorBody } from "../http/errors.ts";
import { currentLogContext, type LogContext, withLogContext } from "../logging.ts";
import { inSpan, type TraceCarrier, traceCarrier } from "../tracing.ts";
import { type BillingDeps, processStripeEvent } from "./apply-event.ts";
import { asString, type StripeClient, type StripeEventEnvelope } from "./stripe-client.ts";

/** Events processed at the same time; more only contend for the same rows and commits. */
const PROCESSING_CONCURRENCY = 4;
/** Inserts of recorded events in flight at once; deliveries arriving meanwhile join the next one. */
const CONCURRENT_WRITES = 4;
/** Longer than this and a delivery is answered 503: Stripe retries, and gives up on us after 10 s anyway. */
const WRITE_TIMEOUT_MS = 5000;
/** After a failed write, deliveries are answered 503 at once for this long (Stripe retries them). */
const BACK_OFF_AFTER_FAILURE_MS = 500;

interface PendingRecord {
  event: StripeEventEnvelope;
  resolve: (fresh: boolean) => void;
  reject: (error: unknown) => void;
}

/** Stripe's recommended tolerance for the signature timestamp. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface WebhookDeps extends BillingDeps {
  stripe: StripeClient | null;
  /** Verifies signatures (works without an account). */
  verifier: StripeClient;
  webhookSecret: string;
  logger: Logger;
  observe?: (
    type: string,
    outcome: "accepted" | "duplicate" | "bad_signature" | "malformed" | "unavailable",
  ) => void;
}

/**
 * Records verified events and processes them off the request: the answer never waits for provisioning,
 * and an event whose processing was cut short by a crash is picked up by `sweep`.
 */
export class StripeEventProcessor {
  readonly #deps: WebhookDeps;
  readonly #running = new Set<Promise<unknown>>();
  readonly #pending: PendingRecord[] = [];
  #writers = 0;
  #unavailableUntil = 0;
  readonly #waiting: string[] = [];
  /** Purchases waiting: served before other events, so a backlog (a flood of invoices) never delays a new tenant. */
  readonly #purchases: string[] = [];
  #active = 0;
  /** Ids waiting or being processed here, so the sweep does not queue them twice. */
  readonly #queued = new Set<string>();
  /** The log context (request id) of the delivery of each waiting event: a worker may be another request's. */
  readonly #contexts = new Map<string, LogContext>();
  /** Trace context of the delivery that recorded each event (tracing on only). */
  readonly #traces = new Map<string, TraceCarrier>();

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  /**
   * Inserts the event unless its id was seen before; true when it is new. Concurrent deliveries are
   * written together (one statement, one commit) while a previous write is in flight: no added latency
   * when idle, far fewer commits under load.
   */
  record(event: StripeEventEnvelope): Promise<boolean> {
    // Just after a write failed, answer at once instead of queueing behind a database that is away.
    if (Date.now() < this.#unavailableUntil) {
      return Promise.reject(new Error("the database was unavailable a moment ago"));
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ event, resolve, reject });
      this.#pump();
    });
  }

  /** Starts writers while there is work; a few run at once so one stalled write holds up nobody else. */
  #pump(): void {
    while (this.#writers < CONCURRENT_WRITES && this.#pending.length > 0) {
      const batch = this.#pending.splice(0, 500);
      this.#writers += 1;
      void this.#write(batch).finally(() => {
        this.#writers -= 1;
        this.#pump();
      });
    }
  }

  async #write(batch: PendingRecord[]): Promise<void> {
    const first = new Map<string, PendingRecord>();
    for (const item of batch) if (!first.has(item.event.id)) first.set(item.event.id, item);
    const insert = this.#deps.db
      .insert(stripeEvents)
      .values(
        [...first.values()].map(({ event }) => ({
          id: event.id,
          type: event.type,
          created: event.created,
          payload: event as unknown as Record<string, unknown>,
          objectId: asString(event.data?.object?.id),
        })),
      )
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    let timer: NodeJS.Timeout | undefined;
    // A write the database does not answer (it is restarting, a connection hangs) is reported as not
    // recorded, so Stripe retries; should it land later after all, the retry is a duplicate no-op.
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("the database did not answer in time")), WRITE_TIMEOUT_MS);
    });
    try {
      const rows = await Promise.race([insert, stalled]);
      const inserted = new Set(rows.map((row) => row.id));
      for (const item of batch)
        item.resolve(first.get(item.event.id) === item && inserted.has(item.event.id));
    } catch (error) {
      this.#unavailableUntil = Date.now() + BACK_OFF_AFTER_FAILURE_MS;
      for (const item of batch) item.reject(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Processes a recorded event soon: at once when idle, a few at a time under load (the rest wait in line, a
   * completed checkout ahead of every other kind). Processing is order-independent (see apply-event.ts).
   */
  process(id: string, type: string): void {
    if (this.#queued.has(id)) return;
    this.#queued.add(id);
    this.#contexts.set(id, currentLogContext());
    const trace = traceCarrier();
    if (trace) this.#traces.set(id, trace);
    (type === "checkout.session.completed" ? this.#purchases : this.#waiting).push(id);
    this.#next();
  }

  #next(): void {
    while (this.#active < PROCESSING_CONCURRENCY && this.#purchases.length + this.#waiting.length > 0) {
      const id = (this.#purchases.shift() ?? this.#waiting.shift())!;
      this.#active += 1;
      const context = this.#contexts.get(id) ?? {};
      this.#contexts.delete(id);
      withLogContext(context, () => this.#run(id)).finally(() => {
        this.#active -= 1;
        this.#queued.delete(id);
        this.#next();
      });
    }
  }

  #run(id: string): Promise<unknown> {
    const trace = this.#traces.get(id);
    this.#traces.delete(id);
    const task = inSpan("stripe.event", { "stripe.event_id": id }, () => processStripeEvent(this.#deps, id), {
      parent: trace,
    })
      .catch((error) =>
        this.#deps.logger.error(
          { err: error, event: id },
          "stripe event processing failed; the sweep retries it",
        ),
      )
      .finally(() => this.#running.delete(task));
    this.#running.add(task);
    return task;
  }

  /** Queues events recorded but not processed (a crash, a failed attempt), oldest first. */
  async sweep(olderThanMs = 2000): Promise<number> {
    const pending = await this.#deps.db
      .select({ id: stripeEvents.id, type: stripeEvents.type })
      .from(stripeEvents)
      .where(
        and(
          isNull(stripeEvents.processedAt),
          lt(stripeEvents.receivedAt, new Date(Date.now() - olderThanMs)),
        ),
      )
      .orderBy(asc(stripeEvents.created), asc(stripeEvents.receivedAt))
      .limit(500);
    for (const { id, type } of pending) this.process(id, type);
    return pending.length;
  }

  /** Waits for in-flight processing (shutdown); events still waiting are left to the next start's sweep. */
  async drain(): Promise<void> {
    this.#waiting.length = 0;
    this.#purchases.length = 0;
    this.#contexts.clear();
    await Promise.allSettled([...this.#running]);
  }
}

/** What the route itself needs: signature checking, logs and metrics. */
export type WebhookRouteDeps = Pick<WebhookDeps, "verifier" | "webhookSecret" | "logger" | "observe">;

export function webhookRoutes(app: OpenAPIHono, deps: WebhookRouteDeps, processor: StripeEventProcessor) {
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/webhooks/stripe",
    summary: "Stripe webhook endpoint (signature verified on the raw body; duplicates are 200 no-ops)",
    tags: ["billing"],
    request: {
      headers: z.object({ "stripe-signature": z.string() }),
      body: {
        content: {
          "application/json": { schema: z.object({ id: z.string(), type: z.string() }).passthrough() },
        },
      },
    },
    responses: {
      200: {
        description: "Recorded (or already recorded)",
        content: {
          "application/json": { schema: z.object({ received: z.literal(true), duplicate: z.boolean() }) },
        },
      },
      400: {
        description: "Missing or invalid signature, or a malformed event",
        content: { "application/json": { schema: ErrorSchema } },
      },
      503: {
        description: "The event could not be recorded; Stripe will retry",
        content: { "application/json": { schema: ErrorSchema } },
      },
    },
  });

  app.post("/webhooks/stripe", async (c) => {
    const signature = c.req.header("stripe-signature");
    const payload = await c.req.text();
    if (!signature) {
      deps.observe?.("unknown", "bad_signature");
      return c.json(errorBody("missing_signature", "The Stripe-Signature header is missing."), 400);
    }
    let event: StripeEventEnvelope;
    try {
      event = (await deps.verifier.webhooks.constructEventAsync(
        payload,
        signature,
        deps.webhookSecret,
        SIGNATURE_TOLERANCE_SECONDS,
      )) as unknown as StripeEventEnvelope;
    } catch (error) {
      deps.observe?.("unknown", "bad_signature");
      const message = error instanceof Error ? error.message.split("\n")[0] : "invalid signature";
      return c.json(errorBody("invalid_signature", `Webhook signature verification failed: ${message}`), 400);
    }
    if (!isEnvelope(event)) {
      deps.observe?.("unknown", "malformed");
      return c.json(
        errorBody("malformed_event", "The event lacks an id, type, created or data.object."),
        400,
      );
    }
    let fresh: boolean;
    try {
      fresh = await processor.record(event);
    } catch (error) {
      deps.observe?.(event.type, "unavailable");
      deps.logger.error({ err: error, event: event.id }, "could not record a Stripe event");
      return c.json(
        errorBody("unavailable", "The event could not be recorded right now; Stripe will retry."),
        503,
      );
    }
    deps.observe?.(event.type, fresh ? "accepted" : "duplicate");
    if (fresh) processor.process(event.id, event.type);
    return c.json({ received: true as const, duplicate: !fresh }, 200);
  });
}

function isEnvelope(event: unknown): event is StripeEventEnvelope {
  const e = event as Partial<StripeEventEnvelope> | null;
  return (
    !!e &&
    typeof e.id === "string" &&
    e.id.length > 0 &&
    e.id.length <= 255 &&
    typeof e.type === "string" &&
    Number.isInteger(e.created) &&
    !!e.data &&
    typeof e.data.object === "object" &&
    e.data.object !== null
  );
}
