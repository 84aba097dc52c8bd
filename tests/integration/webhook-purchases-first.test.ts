import { asc, isNotNull } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripeClient } from "../../control-plane/billing/stripe-client.ts";
import { StripeEventProcessor } from "../../control-plane/billing/webhook.ts";
import { connect, migrateDatabase } from "../../control-plane/db/client.ts";
import { stripeEvents } from "../../control-plane/db/schema.ts";
import { createTestDatabase } from "../support/db.ts";
import { checkoutSession, invoice, stripeEvent } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

describe("a completed checkout behind a backlog of other Stripe events", () => {
  let database: ReturnType<typeof connect>;
  let processor: StripeEventProcessor;

  beforeAll(async () => {
    database = connect(await createTestDatabase("purchasesfirst"), { max: 6 });
    await migrateDatabase(database);
    const client = stripeClient(undefined);
    processor = new StripeEventProcessor({
      db: database.db,
      stripe: null,
      verifier: client,
      webhookSecret: "whsec_test",
      retentionDays: 30,
      reconcile: async () => {},
      logger: pino({ level: "silent" }),
    });
  });

  afterAll(async () => {
    await processor?.drain();
    await database?.close();
  });

  it("is processed ahead of the events that were waiting before it", async () => {
    // A flood of invoices for subscriptions nobody has (recorded and processed, nothing provisioned), then a purchase.
    const backlog = Array.from({ length: 60 }, (_, i) =>
      stripeEvent("invoice.paid", invoice(`sub_flood_${i}`)),
    );
    const purchase = stripeEvent("checkout.session.completed", checkoutSession({ slug: "first-in-line" }));
    for (const event of [...backlog, purchase]) expect(await processor.record(event)).toBe(true);
    // Queued in arrival order, in one go: the purchase is the last to arrive.
    for (const event of [...backlog, purchase]) processor.process(event.id, event.type);

    await waitFor(
      async () =>
        (await database.db.select().from(stripeEvents).where(isNotNull(stripeEvents.processedAt))).length ===
        backlog.length + 1,
      { timeoutMs: 30_000, what: "every event processed" },
    );
    const order = (
      await database.db
        .select({ id: stripeEvents.id, processedAt: stripeEvents.processedAt })
        .from(stripeEvents)
        .orderBy(asc(stripeEvents.processedAt))
    ).map((row) => row.id);
    // Only the few already being processed when it arrived may finish before it.
    expect(order.indexOf(purchase.id)).toBeLessThan(8);
  });
});
