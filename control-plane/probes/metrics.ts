import client from "prom-client";

/**
 * Probe metrics by kind only (tenant, component, site): one series per tenant would grow without bound,
 * so which tenant is down lives in the database (`/admin/probes`), not in labels.
 */
export function probeMetrics(registry: client.Registry) {
  return {
    up: new client.Gauge({
      name: "websplat_probe_up",
      help: "Probe targets whose last probe succeeded (idle, scaled-to-zero tenants count as up), by kind",
      labelNames: ["kind"],
      registers: [registry],
    }),
    targets: new client.Gauge({
      name: "websplat_probe_targets",
      help: "Probe targets by kind and state (up, down, idle)",
      labelNames: ["kind", "state"],
      registers: [registry],
    }),
    alerting: new client.Gauge({
      name: "websplat_probe_alerting",
      help: "Probe targets that failed N probes in a row and have not recovered, by kind",
      labelNames: ["kind"],
      registers: [registry],
    }),
    duration: new client.Histogram({
      name: "websplat_probe_duration_seconds",
      help: "Probe latency by kind and outcome state",
      labelNames: ["kind", "state"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type ProbeMetrics = ReturnType<typeof probeMetrics>;
