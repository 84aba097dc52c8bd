import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import {
  checkoutSession,
  deliver,
  getTenant,
  settledActive,
  stripeEvent,
  subscription,
  waitForTenant,
} from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

/** The core loop with the real agent runtime: money in, a tenant host serving. Slugs start with "pcl-". */
describe("purchase: from payment to a serving tenant", () => {
  let plane: RunningControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane();
  });

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  it("a signed checkout.session.completed with no prior signup (a Payment Link) makes the tenant active and its host serve", async () => {
    const slug = "pcl-payment-link";
    const session = checkoutSession({ slug, email: "owner@example.com", tier: "pro" });
    await deliver(plane, stripeEvent("checkout.session.completed", session));

    const tenant = await waitForTenant(plane, slug, settledActive, { timeoutMs: 45_000, what: "active" });
    expect(tenant).toMatchObject({
      email: "owner@example.com",
      stripeCustomerId: session.customer,
      stripeSubscriptionId: session.subscription,
    });
    const response = await fetchTenant(plane, slug, "/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", tenant: slug });
  }, 60_000);

  it("signup, then paying on the local checkout page, makes the tenant active with the chosen tier", async () => {
    const slug = "pcl-signup";
    const signup = await fetch(`${plane.url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "buyer@example.com", slug, tier: "studio" }),
    });
    expect(signup.status).toBe(201);
    const { checkoutUrl, statusUrl } = (await signup.json()) as { checkoutUrl: string; statusUrl: string };
    expect(statusUrl).toContain(slug);
    expect((await getTenant(plane, slug))?.status).toBe("awaiting_payment");
    // Reserved but unpaid: its host serves nothing yet.
    expect((await fetchTenant(plane, slug, "/healthz")).status).toBe(404);

    const checkoutPage = await fetch(checkoutUrl);
    expect(checkoutPage.status).toBe(200);
    expect(await checkoutPage.text()).toContain(slug);

    const id = new URL(checkoutUrl).pathname.split("/").at(-1);
    const paid = await fetch(`${plane.url}/checkout/local/${id}/pay`, { method: "POST", redirect: "manual" });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe(statusUrl);

    const tenant = await waitForTenant(plane, slug, settledActive, { timeoutMs: 45_000, what: "active" });
    expect(tenant.tier).toBe("studio");
    expect(tenant.stripeSubscriptionId).toMatch(/^sub_/);
    // The gateway holds a tenant's row for up to a second: the 404 seen before paying may linger that long.
    const health = await waitFor(
      async () => {
        const response = await fetchTenant(plane, slug, "/healthz");
        return response.status === 200 ? await response.json() : null;
      },
      { timeoutMs: 5000, what: "the host to serve" },
    );
    expect(health).toEqual({ status: "ok", tenant: slug });
  }, 60_000);

  it("a subscription event that arrives before its checkout still decides the tier", async () => {
    const slug = "pcl-early-sub";
    const subscriptionId = `sub_test_${slug}`;
    const customer = `cus_test_${slug}`;
    const created = Math.floor(Date.now() / 1000);
    await deliver(
      plane,
      stripeEvent(
        "customer.subscription.created",
        subscription({ id: subscriptionId, customer, status: "active", lookupKey: "websplat_pro_yearly" }),
        created,
      ),
    );
    await deliver(
      plane,
      stripeEvent(
        "checkout.session.completed",
        checkoutSession({ slug, customer, subscription: subscriptionId }),
        created,
      ),
    );
    const tenant = await waitForTenant(plane, slug, settledActive, { timeoutMs: 45_000, what: "active" });
    expect(tenant.tier).toBe("pro");
  }, 60_000);
});
