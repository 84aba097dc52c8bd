import { resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { checkoutSession, deliver, stripeEvent, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const HEALTHZ_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");
const QUIET = { WEBSPLAT_RUNTIME_ENTRY: HEALTHZ_RUNTIME, WEBSPLAT_PROBE_INTERVAL_SECONDS: "0" };

/** Traces over OTLP/HTTP to a receiver on loopback. Slugs start with "tr-". */
describe("tracing", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const step of cleanups.reverse()) await step();
  });

  async function plane(env: Record<string, string>): Promise<RunningControlPlane> {
    const started = await startControlPlane({ env: { ...QUIET, ...env } });
    cleanups.push(async () => {
      await started.stop();
      await started.cleanup();
    });
    return started;
  }

  it("one purchase is one trace: webhook request, Stripe event, reconcile job, driver step, runtime start, in order", async () => {
    const receiver = await startOtlpReceiver();
    cleanups.push(receiver.close);
    const cp = await plane({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const slug = "tr-buyer";
    await deliver(cp, stripeEvent("checkout.session.completed", checkoutSession({ slug, tier: "starter" })));
    await waitForTenant(cp, slug, (t) => t.status === "active", { what: "the purchased tenant active" });

    const names = ["POST /webhooks/stripe", "stripe.event", "reconcile", "driver.up", "runtime.start"];
    const trace = await waitFor(
      () => {
        const start = receiver.spans.find(
          (s) => s.name === "runtime.start" && s.attributes["websplat.tenant"] === slug,
        );
        if (!start) return null;
        const spans = receiver.spans.filter((s) => s.traceId === start.traceId);
        return names.every((name) => spans.some((s) => s.name === name)) ? spans : null;
      },
      { what: "the purchase's spans at the receiver", timeoutMs: 20_000 },
    );
    const ordered = [...trace].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    expect(ordered.map((s) => s.name).filter((n) => names.includes(n))).toEqual(names);
    // Each is the child of the one before it: one causal chain, across the queue.
    for (let i = 1; i < names.length; i++) {
      const child = trace.find((s) => s.name === names[i])!;
      const parent = trace.find((s) => s.name === names[i - 1])!;
      expect(child.parentSpanId, `${names[i]} under ${names[i - 1]}`).toBe(parent.spanId);
    }
    const request = trace.find((s) => s.name === "POST /webhooks/stripe")!;
    expect(request.parentSpanId).toBe("");
    expect(request.attributes["websplat.request_id"]).toEqual(expect.any(String));
    expect(trace.find((s) => s.name === "reconcile")!.attributes["websplat.request_id"]).toBe(
      request.attributes["websplat.request_id"],
    );
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(["websplat-control-plane"]));
    // Only one trace reconciled this tenant.
    const reconciles = receiver.spans.filter(
      (s) => s.name === "reconcile" && s.attributes["websplat.tenant"] === slug,
    );
    expect(new Set(reconciles.map((s) => s.traceId)).size).toBe(1);
  }, 60_000);

  it("without OTEL_EXPORTER_OTLP_ENDPOINT nothing is exported, even with the traces-only variable set", async () => {
    const receiver = await startOtlpReceiver();
    cleanups.push(receiver.close);
    const cp = await plane({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` });
    const slug = "tr-quiet";
    await deliver(cp, stripeEvent("checkout.session.completed", checkoutSession({ slug, tier: "starter" })));
    await waitForTenant(cp, slug, (t) => t.status === "active", { what: "the tenant active" });
    // Longer than the exporter's batching delay: anything exported would have arrived.
    await delay(1500);
    expect(receiver.requests()).toBe(0);
  }, 60_000);
});
