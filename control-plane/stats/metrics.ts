import client from "prom-client";
import type { Kpis } from "./kpis.ts";

/** The KPIs' window as Prometheus metrics (the same figures as `GET /admin/stats?since=30d`). */
export const KPI_METRIC_WINDOW = "30d";
/** Computing the KPIs takes a few queries: a scrape reuses figures this recent. */
const CACHE_MS = 60_000;

/**
 * KPI gauges over the last 30 days. They read from `source` (set once the database is up) on scrape, so a
 * registry without one (tests, the bench) exposes them empty rather than failing.
 */
export function kpiMetrics(registry: client.Registry) {
  const state: { source: (() => Promise<Kpis>) | null; cached: { at: number; kpis: Promise<Kpis> } | null } =
    {
      source: null,
      cached: null,
    };
  const read = async (): Promise<Kpis | null> => {
    if (!state.source) return null;
    if (!state.cached || Date.now() - state.cached.at > CACHE_MS) {
      state.cached = { at: Date.now(), kpis: state.source() };
      state.cached.kpis.catch(() => {
        state.cached = null;
      });
    }
    return await state.cached.kpis;
  };
  const gauge = (name: string, help: string, labelNames: string[], set: (g: client.Gauge, k: Kpis) => void) =>
    new client.Gauge({
      name,
      help: `${help} (last ${KPI_METRIC_WINDOW})`,
      labelNames,
      registers: [registry],
      async collect() {
        // A failed query leaves the KPI gauges empty for this scrape; the rest of /metrics still answers.
        const kpis = await read().catch(() => null);
        if (kpis) set(this, kpis);
      },
    });
  gauge("websplat_kpi_signups_started", "Signups started", [], (g, k) => g.set(k.signups.started));
  gauge("websplat_kpi_checkouts_completed", "Checkouts completed", [], (g, k) =>
    g.set(k.checkouts.completed),
  );
  gauge("websplat_kpi_conversion_ratio", "Checkouts completed per signup started", [], (g, k) =>
    g.set(k.checkouts.conversionRate ?? 0),
  );
  gauge("websplat_kpi_active_tenants", "Active tenants by tier (now)", ["tier"], (g, k) => {
    for (const tier of ["starter", "pro", "studio"] as const) g.set({ tier }, k.activeTenants[tier]);
  });
  gauge("websplat_kpi_mrr_dollars", "Monthly recurring revenue from the tier prices (now)", [], (g, k) =>
    g.set(k.mrrCents / 100),
  );
  gauge("websplat_kpi_cancellations", "Subscriptions cancelled", [], (g, k) => g.set(k.cancellations));
  gauge("websplat_kpi_churn_ratio", "Cancellations per tenant paying when the window opened", [], (g, k) =>
    g.set(k.churnRate ?? 0),
  );
  gauge("websplat_kpi_reactivations", "Checkouts by tenants that had cancelled", [], (g, k) =>
    g.set(k.reactivations),
  );
  gauge("websplat_kpi_builder_runs", "Builder runs by tier", ["tier"], (g, k) => {
    for (const [tier, usage] of Object.entries(k.builder)) g.set({ tier }, usage.runs);
  });
  gauge("websplat_kpi_builder_tokens", "Model tokens spent by tier", ["tier"], (g, k) => {
    for (const [tier, usage] of Object.entries(k.builder)) g.set({ tier }, usage.tokens);
  });
  gauge("websplat_kpi_provisioning_seconds", "Provisioning time percentiles", ["quantile"], (g, k) => {
    for (const [quantile, value] of [
      ["0.5", k.provisioningSeconds.p50],
      ["0.9", k.provisioningSeconds.p90],
      ["0.99", k.provisioningSeconds.p99],
    ] as const)
      if (value !== null) g.set({ quantile }, value);
  });
  return {
    /** Where the figures come from; set at start. */
    setSource(source: () => Promise<Kpis>) {
      state.source = source;
      state.cached = null;
    },
  };
}
