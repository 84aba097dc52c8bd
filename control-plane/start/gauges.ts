import { sql as dsql } from "drizzle-orm";
import { tenants } from "../db/schema.ts";
import { gauge } from "../metrics.ts";
import type { Services } from "../platform-services.ts";

/** The gauges read at scrape time: tenants, runtimes in a crash loop (on this machine) and the queue. */
export function registerGauges(services: Services, queueStarted: () => boolean): void {
  const { metrics, db, driver, reconciler } = services;
  gauge(metrics, "websplat_tenants", "Tenants by status and tier", ["status", "tier"], async (g) => {
    g.reset();
    const rows = await db
      .select({ status: tenants.status, tier: tenants.tier, n: dsql<number>`count(*)::int` })
      .from(tenants)
      .groupBy(tenants.status, tenants.tier);
    for (const row of rows) g.set({ status: row.status, tier: row.tier }, row.n);
  });
  const runtimes = driver.runtimes;
  if (runtimes) {
    gauge(
      metrics,
      "websplat_runtimes_crash_looping",
      "Tenant runtimes that exited 3 or more times in a row within the last 10 minutes",
      [],
      async (g) => g.set(runtimes.crashLooping(10 * 60_000)),
    );
  }
  gauge(metrics, "websplat_queue_depth", "Reconcile jobs waiting", [], async (g) => {
    g.set(queueStarted() ? await reconciler.queue.depth() : 0);
  });
}
