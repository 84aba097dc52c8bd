import { expect, test } from "vitest";
import { useControlPlane } from "../support/control-plane.ts";
import { admin, checkoutSession, deliver, now, stripeEvent, subscription } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const plane = useControlPlane({ env: { WEBSPLAT_RUNTIME_ENTRY: "tests/fixtures/healthz-runtime.ts" } });

const tenantOf = async (slug: string) => {
  const response = await admin(plane(), `/admin/tenants/${slug}`);
  return response.status === 200 ? await response.json() : null;
};

test("a Payment Link's subscription events that arrive before its checkout are applied once the tenant exists", async () => {
  const t = now() - 60;
  const sub = "sub_early_cancelled";
  // Metadata-less, as a Payment Link's subscription is: nothing ties it to a tenant until the checkout does.
  await deliver(
    plane(),
    stripeEvent(
      "customer.subscription.created",
      subscription({ id: sub, status: "active", lookupKey: "websplat_pro" }),
      t + 1,
    ),
  );
  await deliver(
    plane(),
    stripeEvent(
      "customer.subscription.updated",
      subscription({ id: sub, status: "canceled", lookupKey: "websplat_pro" }),
      t + 30,
    ),
  );
  await deliver(
    plane(),
    stripeEvent("checkout.session.completed", checkoutSession({ slug: "early-bird", subscription: sub }), t),
  );

  const tenant = await waitFor(
    async () => {
      const current = await tenantOf("early-bird");
      return current?.desired === "suspended" ? current : null;
    },
    { what: "early-bird suspended by the later cancellation", timeoutMs: 20_000 },
  );
  expect(tenant.tier).toBe("pro");
  expect(tenant.stripeSubscriptionId).toBe(sub);
});

test("an early event older than the checkout does not undo it", async () => {
  const t = now() - 60;
  const sub = "sub_early_stale";
  await deliver(
    plane(),
    stripeEvent(
      "customer.subscription.updated",
      subscription({ id: sub, status: "incomplete_expired" }),
      t - 30,
    ),
  );
  await deliver(
    plane(),
    stripeEvent(
      "checkout.session.completed",
      checkoutSession({ slug: "early-stale", subscription: sub, tier: "studio" }),
      t,
    ),
  );
  const tenant = await waitFor(
    async () => {
      const current = await tenantOf("early-stale");
      return current?.status === "active" ? current : null;
    },
    { what: "early-stale active", timeoutMs: 20_000 },
  );
  expect(tenant.desired).toBe("active");
});
