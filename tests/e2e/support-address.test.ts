import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { waitForEmail } from "../support/outbox.ts";
import { checkoutSession, deliver, stripeEvent } from "../support/stripe-events.ts";

/** One configured support address and operator, everywhere a customer reads them. Slugs "sup-". */
describe("the support address and the operator, as configured", () => {
  let plane: RunningControlPlane;
  const support = "help@bakery-platform.test";

  beforeAll(async () => {
    plane = await startControlPlane({
      env: {
        WEBSPLAT_SUPPORT_EMAIL: support,
        WEBSPLAT_OPERATOR_NAME: "Bakery Platforms Ltd",
        WEBSPLAT_JURISDICTION: "England and Wales",
      },
    });
  });

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  it("every platform page shows the configured address and no other", async () => {
    for (const path of ["/", "/terms", "/privacy", "/cookies", "/signin", "/status"]) {
      const text = await (await fetch(`${plane.url}${path}`)).text();
      expect(text, path).toContain(`mailto:${support}`);
      expect(text, path).not.toMatch(/support@(localhost|websp\.lat)/);
    }
  });

  it("the Terms name the operator and the law that governs them", async () => {
    const terms = await (await fetch(`${plane.url}/terms`)).text();
    expect(terms).toContain("between you and Bakery Platforms Ltd");
    expect(terms).toContain("governed by the law of England and Wales");
  });

  it("the emails give the same address", async () => {
    const email = "owner@sup.example";
    await deliver(
      plane,
      stripeEvent("checkout.session.completed", checkoutSession({ slug: "sup-owner", email })),
    );
    const welcome = await waitForEmail(plane.dataDir, email, /is ready/);
    for (const part of [welcome.text, welcome.html]) {
      expect(part).toContain(support);
      expect(part).not.toMatch(/support@(localhost|websp\.lat)/);
    }
  }, 60_000);
});
