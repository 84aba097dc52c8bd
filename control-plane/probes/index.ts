export { probeAnswer } from "./gateway-probe.ts";
export { HOUR_HISTORY_DAYS, MINUTE_HISTORY_DAYS, rollUp, type TargetState } from "./history.ts";
export { type ProbeMetrics, probeMetrics } from "./metrics.ts";
export { Prober, type ProberOptions, type RoundSummary } from "./prober.ts";
export { probeRoutes } from "./routes.ts";
export { startProbes } from "./start.ts";
export { COMPONENTS, type Component, type ProbeTarget, probeTargets } from "./targets.ts";
export { type ComponentStatus, type Incident, platformStatus, uptime } from "./uptime.ts";
