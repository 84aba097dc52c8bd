import type { Services } from "../platform-services.ts";
import { Prober } from "./prober.ts";

/**
 * Starts the synthetic probes with the configured interval, failure count and timeout; returns their stop.
 * `WEBSPLAT_PROBE_INTERVAL_SECONDS=0` turns them off.
 */
export async function startProbes(services: Services, selfUrl: () => string): Promise<() => Promise<void>> {
  const { config } = services;
  if (config.WEBSPLAT_PROBE_INTERVAL_SECONDS <= 0) return async () => {};
  const prober = new Prober({
    db: services.db,
    sql: services.sql,
    logger: services.logger,
    metrics: services.metrics.probes,
    targets: { services, selfUrl, timeoutMs: config.WEBSPLAT_PROBE_TIMEOUT_MS },
    intervalMs: config.WEBSPLAT_PROBE_INTERVAL_SECONDS * 1000,
    failuresToAlert: config.WEBSPLAT_PROBE_FAILURES,
  });
  await prober.start();
  return () => prober.stop();
}
