import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import {
  checkoutSession,
  deliver,
  getTenant,
  now,
  postWebhook,
  processedOutcome,
  recordedEvents,
  settledActive,
  sign,
  stripeEvent,
  subscription,
  waitForTenant,
} from "../support/stripe-events.ts";

const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");

/** At-least-once, any-order delivery, and webhooks nobody signed. Slugs start with "ws-". */
describe("webhook: duplicates, ordering and signatures", () => {
  let plane: RunningControlPlane;
  const slug = "ws-tenant";
  const subscriptionId = "sub_test_ws_tenant";
  const customer = "cus_test_ws_tenant";
  const base = now() - 1000;

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME } });
    await deliver(
      plane,
      stripeEvent(
        "checkout.session.completed",
        checkoutSession({ slug, customer, subscription: subscriptionId }),
        base,
      ),
    );
    await waitForTenant(plane, slug, settledActive, { what: "active" });
  });

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  it("a duplicate Stripe event changes nothing", async () => {
    const event = stripeEvent(
      "customer.subscription.updated",
      subscription({ id: subscriptionId, customer, slug, status: "past_due" }),
      base + 10,
    );
    const first = await postWebhook(plane, event);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    await processedOutcome(plane, event.id);
    const after = await getTenant(plane, slug);
    expect(after?.grace).toBe(true);

    // The same event id again, even with a different body, is a 200 no-op.
    const replay = {
      ...event,
      data: { object: subscription({ id: subscriptionId, customer, slug, status: "canceled" }) },
    };
    const second = await postWebhook(plane, replay);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ received: true, duplicate: true });
    const again = await getTenant(plane, slug);
    expect(again).toMatchObject({
      desired: after?.desired,
      generation: after?.generation,
      grace: true,
      tier: after?.tier,
    });
  });

  it("an older subscription event delivered after a newer one is ignored", async () => {
    const newer = stripeEvent(
      "customer.subscription.updated",
      subscription({ id: subscriptionId, customer, slug, status: "active", lookupKey: "websplat_pro" }),
      base + 30,
    );
    const older = stripeEvent(
      "customer.subscription.updated",
      subscription({ id: subscriptionId, customer, slug, status: "canceled", lookupKey: "websplat_studio" }),
      base + 20,
    );
    await deliver(plane, newer);
    await processedOutcome(plane, newer.id);
    const current = await getTenant(plane, slug);
    expect(current).toMatchObject({ desired: "active", tier: "pro", grace: false });
    await deliver(plane, older);
    expect(await processedOutcome(plane, older.id)).toMatch(/^ignored/);
    expect(await getTenant(plane, slug)).toMatchObject({
      desired: "active",
      tier: "pro",
      generation: current?.generation,
    });
  });

  describe("webhooks that are not from Stripe are refused with a 4xx and change nothing", () => {
    const hostile = () =>
      stripeEvent(
        "customer.subscription.deleted",
        subscription({ id: subscriptionId, customer, slug, status: "canceled" }),
        now() + 100_000,
      );

    /** Takes the snapshot first, then sends: what the request changed shows in what is read after it. */
    async function expectRefused(send: () => Promise<Response>) {
      const before = await getTenant(plane, slug);
      const events = await recordedEvents(plane);
      const response = await send();
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toEqual(expect.any(String));
      expect(body.error.message).toEqual(expect.any(String));
      expect(await recordedEvents(plane)).toBe(events);
      const after = await getTenant(plane, slug);
      const fields = (tenant: typeof before) => ({
        desired: tenant?.desired,
        tier: tenant?.tier,
        generation: tenant?.generation,
        grace: tenant?.grace,
        deleteAfter: tenant?.deleteAfter,
      });
      expect(fields(after)).toEqual(fields(before));
      expect(after?.deleteAfter).toBeNull();
    }

    it("forged: signed with another secret", async () => {
      const event = hostile();
      const body = JSON.stringify(event);
      await expectRefused(() =>
        postWebhook(plane, body, { signature: sign(body, "whsec_not_the_platforms_secret") }),
      );
    });

    it("tampered: a valid signature over a different body", async () => {
      const genuine = JSON.stringify(stripeEvent("customer.created", { id: "cus_test_x" }));
      await expectRefused(() =>
        postWebhook(plane, JSON.stringify(hostile()), {
          signature: sign(genuine, plane.webhookSecret),
        }),
      );
    });

    it("unsigned: no Stripe-Signature header", async () => {
      await expectRefused(() => postWebhook(plane, hostile(), { signature: null }));
    });

    it("garbage in the Stripe-Signature header", async () => {
      await expectRefused(() => postWebhook(plane, hostile(), { signature: "t=abc,v1=zzz" }));
    });

    it("stale: signed more than 300 s ago", async () => {
      await expectRefused(() => postWebhook(plane, hostile(), { timestamp: now() - 301 }));
    });

    it("malformed: correctly signed but not JSON", async () => {
      await expectRefused(() => postWebhook(plane, "{not json"));
    });

    it("malformed: correctly signed JSON that is not an event", async () => {
      for (const body of [
        "[]",
        "null",
        JSON.stringify({ id: "evt_test_no_type", created: now(), data: { object: {} } }),
        JSON.stringify({ id: "evt_test_no_object", type: "invoice.paid", created: now(), data: {} }),
        JSON.stringify({ id: "", type: "invoice.paid", created: now(), data: { object: {} } }),
        JSON.stringify({
          id: "evt_test_bad_created",
          type: "invoice.paid",
          created: "yesterday",
          data: { object: {} },
        }),
      ]) {
        await expectRefused(() => postWebhook(plane, body));
      }
    });
  });
});
