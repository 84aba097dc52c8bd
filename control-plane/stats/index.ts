export { computeKpis, type Kpis } from "./kpis.ts";
export { KPI_METRIC_WINDOW, kpiMetrics } from "./metrics.ts";
export { KpisSchema, statsRoutes } from "./routes.ts";
export { parseWindow } from "./window.ts";
