import { expect, test } from "vitest";
import { useControlPlane } from "../support/control-plane.ts";
import { checkoutSession, postWebhook, stripeEvent } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

// A stand-in runtime: these tests are about ingestion, not about forty builders.
const plane = useControlPlane({ env: { WEBSPLAT_RUNTIME_ENTRY: "tests/fixtures/healthz-runtime.ts" } });

test("the same event delivered many times at once is recorded once and applied once", async () => {
  const event = stripeEvent(
    "checkout.session.completed",
    checkoutSession({ slug: "wc-burst", email: "owner@wc-burst.test", tier: "pro" }),
  );
  const answers = await Promise.all(
    Array.from({ length: 25 }, async () => {
      const response = await postWebhook(plane(), event);
      return { status: response.status, body: await response.json() };
    }),
  );
  expect(answers.every((answer) => answer.status === 200)).toBe(true);
  expect(answers.filter((answer) => answer.body.duplicate === false)).toHaveLength(1);

  const headers = { authorization: `Bearer ${plane().adminToken}` };
  const tenant = await waitFor(
    async () => {
      const body = await (await fetch(`${plane().url}/admin/tenants/wc-burst`, { headers })).json();
      return body.status === "active" ? body : null;
    },
    { what: "wc-burst active", timeoutMs: 30_000 },
  );
  expect(tenant.generation).toBe(1);
  const audit = await (await fetch(`${plane().url}/admin/audit?slug=wc-burst`, { headers })).json();
  expect(
    audit.entries.filter(
      (entry: { action: string }) => entry.action === "billing.checkout.session.completed",
    ),
  ).toHaveLength(1);
});

test("distinct events delivered together are each recorded and processed", async () => {
  const events = Array.from({ length: 20 }, (_, i) =>
    stripeEvent(
      "checkout.session.completed",
      checkoutSession({ slug: `wc-many-${i}`, email: `o${i}@wc.test`, tier: "starter" }),
    ),
  );
  const answers = await Promise.all(events.map(async (event) => (await postWebhook(plane(), event)).json()));
  expect(answers.every((answer) => answer.received === true && answer.duplicate === false)).toBe(true);
  const headers = { authorization: `Bearer ${plane().adminToken}` };
  await waitFor(
    async () => {
      const body = await (
        await fetch(`${plane().url}/admin/tenants?q=wc-many&limit=100`, { headers })
      ).json();
      return body.total === 20 ? body : null;
    },
    { what: "20 tenants recorded", timeoutMs: 30_000 },
  );
});
