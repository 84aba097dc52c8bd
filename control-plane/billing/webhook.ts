import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { and, asc, isNull, lt } from "drizzle-orm";
import type { Logger } from "pino";
import { stripeEvents } from "../db/schema.ts";
import { ErrorSchema } from "../http/api-route.ts";
import { errorBody } from "../http/errors.ts";
import { type BillingDeps, processStripeEvent } from "./apply-event.ts";
import { asString, type StripeClient, type StripeEventEnvelope } from "./stripe-client.ts";

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

  constructor(deps: WebhookDeps) {
    this.#deps = deps;
  }

  /** Inserts the event unless its id was seen before; true when it is new. */
  async record(event: StripeEventEnvelope): Promise<boolean> {
    const rows = await this.#deps.db
      .insert(stripeEvents)
      .values({
        id: event.id,
        type: event.type,
        created: event.created,
        payload: event as unknown as Record<string, unknown>,
        objectId: asString(event.data?.object?.id),
      })
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    return rows.length > 0;
  }

  process(id: string): void {
    const task = processStripeEvent(this.#deps, id)
      .catch((error) =>
        this.#deps.logger.error(
          { err: error, event: id },
          "stripe event processing failed; the sweep retries it",
        ),
      )
      .finally(() => this.#running.delete(task));
    this.#running.add(task);
  }

  /** Processes events recorded but not processed (a crash, a failed attempt), oldest first. */
  async sweep(olderThanMs = 2000): Promise<number> {
    const pending = await this.#deps.db
      .select({ id: stripeEvents.id })
      .from(stripeEvents)
      .where(
        and(
          isNull(stripeEvents.processedAt),
          lt(stripeEvents.receivedAt, new Date(Date.now() - olderThanMs)),
        ),
      )
      .orderBy(asc(stripeEvents.created), asc(stripeEvents.receivedAt))
      .limit(500);
    for (const { id } of pending) {
      try {
        await processStripeEvent(this.#deps, id);
      } catch (error) {
        this.#deps.logger.error({ err: error, event: id }, "stripe event processing failed");
      }
    }
    return pending.length;
  }

  /** Waits for in-flight processing (shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }
}

export function webhookRoutes(app: OpenAPIHono, deps: WebhookDeps, processor: StripeEventProcessor) {
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
    if (fresh) processor.process(event.id);
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
