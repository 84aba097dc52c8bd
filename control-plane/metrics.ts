import client from "prom-client";
import { probeMetrics } from "./probes/metrics.ts";
import { kpiMetrics } from "./stats/metrics.ts";

/** The control plane's Prometheus metrics (one registry per process). */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: "websplat_http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const webhookEvents = new client.Counter({
    name: "websplat_webhook_events_total",
    help: "Stripe webhook deliveries by event type and outcome",
    labelNames: ["type", "outcome"],
    registers: [registry],
  });
  const reconcileDuration = new client.Histogram({
    name: "websplat_reconcile_duration_seconds",
    help: "Reconcile duration by driver and outcome",
    labelNames: ["driver", "outcome"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  // Not by tenant: one series per tenant would grow without bound; the log line names the tenant.
  const runtimeRestarts = new client.Counter({
    name: "websplat_runtime_restarts_total",
    help: "Agent runtime restarts, by driver and cause (exit: the process died; start_failed: it never became healthy)",
    labelNames: ["driver", "cause"],
    registers: [registry],
  });
  const probes = probeMetrics(registry);
  const kpis = kpiMetrics(registry);
  return { registry, httpDuration, webhookEvents, reconcileDuration, runtimeRestarts, probes, kpis };
}

export type Metrics = ReturnType<typeof createMetrics>;

export function gauge(
  metrics: Metrics,
  name: string,
  help: string,
  labelNames: string[],
  collect: (g: client.Gauge) => Promise<void>,
) {
  return new client.Gauge({
    name,
    help,
    labelNames,
    registers: [metrics.registry],
    async collect() {
      await collect(this);
    },
  });
}
