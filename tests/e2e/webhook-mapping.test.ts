import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import {
  admin,
  checkoutSession,
  deliver,
  getTenant,
  invoice,
  now,
  processedOutcome,
  settledActive,
  stripeEvent,
  subscription,
  type TenantJson,
  waitForTenant,
} from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");

/** DESIGN §3's mapping, row by row, over the signed webhook. Slugs start with "wm-". */
describe("webhook: the Stripe event mapping", () => {
  let plane: RunningControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane({
      env: { WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME, WEBSPLAT_RETENTION_DAYS: "30" },
    });
  });

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  /** A paid tenant linked to `sub_test_<slug>`, provisioned and serving. */
  async function paidTenant(
    slug: string,
    created = now(),
  ): Promise<{ subscriptionId: string; customer: string }> {
    const subscriptionId = `sub_test_${slug.replaceAll("-", "_")}`;
    const customer = `cus_test_${slug.replaceAll("-", "_")}`;
    await deliver(
      plane,
      stripeEvent(
        "checkout.session.completed",
        checkoutSession({ slug, customer, subscription: subscriptionId }),
        created,
      ),
    );
    await waitForTenant(plane, slug, settledActive, { what: "active" });
    return { subscriptionId, customer };
  }

  /** Delivers a subscription event and returns the tenant once the event is processed. */
  async function subscriptionEvent(
    slug: string,
    type: string,
    input: { id: string; customer: string; status: string; lookupKey?: string },
    created: number,
  ): Promise<TenantJson> {
    const event = stripeEvent(type, subscription({ ...input, slug }), created);
    await deliver(plane, event);
    await processedOutcome(plane, event.id);
    return (await getTenant(plane, slug))!;
  }

  it("a completed checkout needing no payment (a free trial or 100% coupon) makes the tenant active", async () => {
    const slug = "wm-no-payment";
    const session = checkoutSession({ slug, paymentStatus: "no_payment_required" });
    await deliver(plane, stripeEvent("checkout.session.completed", session));
    await waitForTenant(plane, slug, settledActive, { what: "active" });
  });

  it("a completed but unpaid checkout, or one still open, creates no tenant", async () => {
    const unpaid = stripeEvent(
      "checkout.session.completed",
      checkoutSession({ slug: "wm-unpaid", paymentStatus: "unpaid" }),
    );
    const open = stripeEvent(
      "checkout.session.completed",
      checkoutSession({ slug: "wm-open", status: "open" }),
    );
    await deliver(plane, unpaid);
    await deliver(plane, open);
    expect(await processedOutcome(plane, unpaid.id)).toMatch(/^ignored/);
    expect(await processedOutcome(plane, open.id)).toMatch(/^ignored/);
    expect(await getTenant(plane, "wm-unpaid")).toBeNull();
    expect(await getTenant(plane, "wm-open")).toBeNull();
    expect((await fetchTenant(plane, "wm-unpaid", "/healthz")).status).toBe(404);
  });

  it("subscription statuses map to desired state: active, trialing, past_due run; unpaid, paused, canceled, incomplete_expired suspend", async () => {
    const slug = "wm-statuses";
    const base = now() - 1000;
    const { subscriptionId, customer } = await paidTenant(slug, base);
    const expected: Array<[string, "active" | "suspended", boolean]> = [
      ["unpaid", "suspended", false],
      ["active", "active", false],
      ["paused", "suspended", false],
      ["trialing", "active", false],
      ["canceled", "suspended", false],
      ["past_due", "active", true],
      ["incomplete_expired", "suspended", false],
    ];
    let created = base;
    for (const [status, desired, grace] of expected) {
      created += 10;
      const type = status === "active" ? "customer.subscription.created" : "customer.subscription.updated";
      const tenant = await subscriptionEvent(slug, type, { id: subscriptionId, customer, status }, created);
      expect({ status, desired: tenant.desired, grace: tenant.grace }).toEqual({ status, desired, grace });
    }
  });

  it("a suspended tenant stops serving and answers a paused page; a renewed subscription brings it back", async () => {
    const slug = "wm-suspend";
    const base = now() - 100;
    const { subscriptionId, customer } = await paidTenant(slug, base);
    await subscriptionEvent(
      slug,
      "customer.subscription.updated",
      { id: subscriptionId, customer, status: "unpaid" },
      base + 1,
    );
    await waitForTenant(
      plane,
      slug,
      (t) => t.status === "suspended" && t.observedGeneration === t.generation,
      {
        what: "suspended",
      },
    );
    expect([402, 503]).toContain((await fetchTenant(plane, slug, "/healthz")).status);
    await subscriptionEvent(
      slug,
      "customer.subscription.updated",
      { id: subscriptionId, customer, status: "active" },
      base + 2,
    );
    await waitForTenant(plane, slug, settledActive, { what: "active again" });
    // The gateway caches a tenant's row for a second: the host serves again right after.
    const health = await waitFor(
      async () => {
        const response = await fetchTenant(plane, slug, "/healthz");
        return response.status === 200 ? await response.json() : null;
      },
      { timeoutMs: 5000, what: "the host to serve again" },
    );
    expect(health).toEqual({ status: "ok", tenant: slug });
  });

  it("the tier comes from the subscription item's price lookup key, suffix included", async () => {
    const slug = "wm-tier";
    const base = now() - 100;
    const { subscriptionId, customer } = await paidTenant(slug, base);
    const yearly = await subscriptionEvent(
      slug,
      "customer.subscription.updated",
      { id: subscriptionId, customer, status: "active", lookupKey: "websplat_pro_yearly" },
      base + 1,
    );
    expect(yearly.tier).toBe("pro");
    const studio = await subscriptionEvent(
      slug,
      "customer.subscription.updated",
      { id: subscriptionId, customer, status: "active", lookupKey: "websplat_studio" },
      base + 2,
    );
    expect(studio.tier).toBe("studio");
    // A price that is not ours leaves the tier alone.
    const foreign = await subscriptionEvent(
      slug,
      "customer.subscription.updated",
      { id: subscriptionId, customer, status: "active", lookupKey: "someone_elses_plan" },
      base + 3,
    );
    expect(foreign.tier).toBe("studio");
    await waitForTenant(plane, slug, settledActive, { what: "reconciled at the new tier" });
  });

  it("invoice.payment_failed sets the grace flag and invoice.paid clears it, found through parent.subscription_details", async () => {
    const slug = "wm-invoice";
    const { subscriptionId } = await paidTenant(slug);
    const failed = stripeEvent("invoice.payment_failed", invoice(subscriptionId), now());
    await deliver(plane, failed);
    expect(await processedOutcome(plane, failed.id)).toMatch(/^applied/);
    expect((await getTenant(plane, slug))?.grace).toBe(true);
    expect((await getTenant(plane, slug))?.desired).toBe("active");
    const paid = stripeEvent("invoice.paid", invoice(subscriptionId), now() + 1);
    await deliver(plane, paid);
    await processedOutcome(plane, paid.id);
    expect((await getTenant(plane, slug))?.grace).toBe(false);
  });

  it("customer.subscription.deleted suspends now and schedules deletion after the retention period", async () => {
    const slug = "wm-cancelled";
    const base = now() - 100;
    const { subscriptionId, customer } = await paidTenant(slug, base);
    const before = Date.now();
    const tenant = await subscriptionEvent(
      slug,
      "customer.subscription.deleted",
      { id: subscriptionId, customer, status: "canceled" },
      base + 1,
    );
    expect(tenant.desired).toBe("suspended");
    const deleteAfter = Date.parse(tenant.deleteAfter);
    expect(deleteAfter).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 60_000);
    expect(deleteAfter).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000 + 60_000);
    await waitForTenant(plane, slug, (t) => t.status === "suspended", { what: "suspended" });
    expect(await getTenant(plane, slug)).toMatchObject({ desired: "suspended" });
    // The reconcile that suspended it booked the next one for the deletion date.
    const booked = await waitFor(
      async () => {
        const { operations } = (await (await admin(plane, `/admin/tenants/${slug}/operations`)).json()) as {
          operations: TenantJson[];
        };
        return operations.find((op) => op.reason === "retention deadline" && op.status === "queued");
      },
      { what: "a reconcile booked for the deletion date" },
    );
    expect(booked).toMatchObject({ kind: "reconcile" });
  });

  it("an unknown event type is accepted and ignored", async () => {
    const event = stripeEvent("customer.created", { id: "cus_test_unknown", object: "customer" });
    await deliver(plane, event);
    expect(await processedOutcome(plane, event.id)).toMatch(/^ignored/);
  });
});
