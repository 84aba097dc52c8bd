import { resolve } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { seededRandom } from "../support/random.ts";
import {
  checkoutSession,
  deliver,
  getTenant,
  invoice,
  now,
  type StripeEvent,
  stripeEvent,
  subscription,
} from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");
const TENANTS = 50;
const DELIVERIES = 1000;
const DUPLICATE_SHARE = 0.3;
const SEED = 20_240_917;

type Tier = "starter" | "pro" | "studio";
interface Expected {
  desired: "active" | "suspended";
  tier: Tier;
  grace: boolean;
  deletionScheduled: boolean;
}

const ACTIVE = new Set(["active", "trialing", "past_due"]);
const STATUSES = ["active", "trialing", "past_due", "unpaid", "paused", "canceled", "incomplete_expired"];
const TIERS: Tier[] = ["starter", "pro", "studio"];
const LOOKUP_KEYS: Record<Tier, string[]> = {
  starter: ["websplat_starter", "websplat_starter_yearly"],
  pro: ["websplat_pro", "websplat_pro_yearly"],
  studio: ["websplat_studio"],
};

/**
 * Subscription lifecycles of `TENANTS` tenants, each event with its own `created` second, and the state each
 * tenant must end in when its events are applied in the order they happened (DESIGN §3's mapping).
 */
function scenario(prefix: string) {
  const next = seededRandom(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const checkouts: StripeEvent[] = [];
  const later: StripeEvent[] = [];
  const expected = new Map<string, Expected>();
  const base = now() - 100_000;
  for (let n = 0; n < TENANTS; n++) {
    const slug = `${prefix}-${String(n).padStart(2, "0")}`;
    const subscriptionId = `sub_test_${prefix}_${n}`;
    const customer = `cus_test_${prefix}_${n}`;
    let created = base + n * 1000;
    const hint = pick(TIERS);
    checkouts.push(
      stripeEvent(
        "checkout.session.completed",
        checkoutSession({ slug, customer, subscription: subscriptionId, tier: hint }),
        created,
      ),
    );
    const state: Expected = { desired: "active", tier: hint, grace: false, deletionScheduled: false };
    const changes = 10 + Math.floor(next() * 7);
    for (let i = 0; i < changes; i++) {
      created += 1 + Math.floor(next() * 5);
      if (i > 0 && next() < 0.3) {
        const failed = next() < 0.5;
        later.push(
          stripeEvent(failed ? "invoice.payment_failed" : "invoice.paid", invoice(subscriptionId), created),
        );
        state.grace = failed;
        continue;
      }
      const status = i === 0 ? "active" : pick(STATUSES);
      const tier = pick(TIERS);
      const object = subscription({
        id: subscriptionId,
        slug,
        customer,
        status,
        lookupKey: pick(LOOKUP_KEYS[tier]),
      });
      const type = i === 0 ? "customer.subscription.created" : "customer.subscription.updated";
      later.push(stripeEvent(type, object, created));
      state.desired = ACTIVE.has(status) ? "active" : "suspended";
      state.grace = status === "past_due";
      state.tier = tier;
    }
    if (next() < 0.25) {
      created += 1;
      const object = subscription({
        id: subscriptionId,
        slug,
        customer,
        status: "canceled",
        lookupKey: LOOKUP_KEYS[state.tier][0],
      });
      later.push(stripeEvent("customer.subscription.deleted", object, created));
      Object.assign(state, { desired: "suspended", grace: false, deletionScheduled: true });
    }
    expected.set(slug, state);
  }
  const distinct = checkouts.length + later.length;
  const duplicates = DELIVERIES - distinct;
  const all = [...checkouts, ...later];
  const deliveries = [...later];
  for (let i = 0; i < duplicates; i++) deliveries.push(pick(all));
  // Fisher–Yates with the seeded generator.
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }
  return { checkouts, deliveries, expected, distinct };
}

/**
 * At-least-once, any-order delivery: 1,000 signed events, 30 % of them duplicates, shuffled and delivered a few at
 * a time, leave every tenant exactly where the in-order history puts it. Slugs start with "fs-".
 */
describe("fault: duplicated and shuffled Stripe events", () => {
  let plane: RunningControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane({
      env: {
        WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME,
        WEBSPLAT_RETENTION_DAYS: "3650",
        // Fifty tenants get provisioned meanwhile: their stand-in runtimes stop when idle.
        WEBSPLAT_IDLE_SECONDS: "1",
      },
    });
  });

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  it("1,000 events with 30 % duplicates, shuffled, end in the exact states of the in-order history", async () => {
    const { checkouts, deliveries, expected, distinct } = scenario("fs");
    expect(checkouts.length + deliveries.length).toBe(DELIVERIES);
    expect(Math.abs((DELIVERIES - distinct) / DELIVERIES - DUPLICATE_SHARE)).toBeLessThan(0.03);

    // The checkouts come first: a subscription event about a tenant that does not exist yet is not applied.
    for (const event of checkouts) await deliver(plane, event);
    const queue = [...deliveries];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let event = queue.shift(); event; event = queue.shift()) await deliver(plane, event);
      }),
    );

    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await waitFor(
        async () => {
          const [row] = await sql`
            select count(*)::int as recorded, count(processed_at)::int as processed
            from control_plane.stripe_events`;
          if (row?.recorded !== distinct) throw new Error(`${row?.recorded} of ${distinct} events recorded`);
          return row.processed === distinct;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: "every recorded event to be processed" },
      );
    } finally {
      await sql.end();
    }

    const actual = new Map<string, Expected>();
    for (const slug of expected.keys()) {
      const tenant = await getTenant(plane, slug);
      actual.set(slug, {
        desired: tenant?.desired,
        tier: tenant?.tier,
        grace: tenant?.grace,
        deletionScheduled: tenant?.deleteAfter != null,
      });
    }
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  }, 120_000);
});
