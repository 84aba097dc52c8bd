import { and, sql as dsql, eq, isNull, lt } from "drizzle-orm";
import { operations, type ProbeKind, stripeEvents, tenants } from "../db/schema.ts";
import { type Services, tenantUrl } from "../platform-services.ts";
import { PROBE_HEADER, PROBE_TOKEN } from "./gateway-probe.ts";
import { httpCheck, type ProbeOutcome, timedCheck } from "./http-check.ts";

/** Something probed on every round: its kind and name (a tenant's slug, a component's name) and how. */
export interface ProbeTarget {
  kind: ProbeKind;
  target: string;
  check(): Promise<ProbeOutcome>;
}

export interface ProbeTargetDeps {
  services: Services;
  /** The control plane's own HTTP server on loopback, e.g. `http://127.0.0.1:8080`. */
  selfUrl(): string;
  timeoutMs: number;
}

/** The platform's own components, as the status page names them. */
export const COMPONENTS = ["api", "webhooks", "provisioning", "database"] as const;
export type Component = (typeof COMPONENTS)[number];

/** Stripe events recorded but not applied for this long mean the webhook path is stuck. */
const WEBHOOK_BACKLOG_SECONDS = 120;
/** A reconcile queued or running this long means provisioning is stuck. */
const PROVISIONING_STUCK_MINUTES = 15;

/**
 * Everything one probe round checks. Published sites (DESIGN §12) are the next kind: list them here as
 * `{ kind: "site", target: "<site>--<slug>", check: () => httpCheck({ url: <public address>, … }) }`,
 * the history, alerting, metrics and status page already treat every kind alike.
 */
export async function probeTargets(deps: ProbeTargetDeps): Promise<ProbeTarget[]> {
  return [...componentTargets(deps), ...(await tenantTargets(deps))];
}

/** Every active tenant, through its public path: the gateway locally, the tenant's own URL in production. */
async function tenantTargets(deps: ProbeTargetDeps): Promise<ProbeTarget[]> {
  const { services, timeoutMs } = deps;
  const rows = await services.db
    .select({ slug: tenants.slug })
    .from(tenants)
    // A journey check's tenant lives minutes and is the check's to watch: never on the status page.
    .where(and(eq(tenants.status, "active"), eq(tenants.desired, "active"), eq(tenants.check, false)));
  const local = services.driver.kind === "local";
  return rows.map(({ slug }) => ({
    kind: "tenant" as const,
    target: slug,
    check: () => {
      const url = `${tenantUrl(services, slug)}/healthz`;
      if (!local) return httpCheck({ url, timeoutMs });
      const self = new URL(deps.selfUrl());
      return httpCheck({
        url,
        connectTo: { host: self.hostname, port: Number(self.port) },
        headers: { [PROBE_HEADER]: PROBE_TOKEN },
        timeoutMs,
      });
    },
  }));
}

function componentTargets(deps: ProbeTargetDeps): ProbeTarget[] {
  const { services, timeoutMs } = deps;
  const checks: Record<Component, () => Promise<ProbeOutcome>> = {
    // The HTTP server answers on its own port, the way every request reaches it.
    api: () => httpCheck({ url: `${deps.selfUrl()}/healthz`, timeoutMs }),
    database: () =>
      timedCheck(timeoutMs, async () => {
        await services.sql`select 1`;
        return null;
      }),
    // Deliveries are recorded and applied: nothing recorded long ago is still waiting.
    webhooks: () =>
      timedCheck(timeoutMs, async () => {
        const cutoff = new Date(Date.now() - WEBHOOK_BACKLOG_SECONDS * 1000);
        const [row] = await services.db
          .select({ n: dsql<number>`count(*)::int` })
          .from(stripeEvents)
          .where(and(isNull(stripeEvents.processedAt), lt(stripeEvents.receivedAt, cutoff)));
        const waiting = row?.n ?? 0;
        return waiting > 0
          ? `${waiting} Stripe events waiting for more than ${WEBHOOK_BACKLOG_SECONDS} s`
          : null;
      }),
    // The queue runs and no reconcile is stuck.
    provisioning: () =>
      timedCheck(timeoutMs, async () => {
        const { queue } = await services.ready();
        if (!queue) return "the reconcile queue is not running";
        const cutoff = new Date(Date.now() - PROVISIONING_STUCK_MINUTES * 60_000);
        const [row] = await services.db
          .select({ n: dsql<number>`count(*)::int` })
          .from(operations)
          .where(and(dsql`${operations.status} in ('queued', 'running')`, lt(operations.createdAt, cutoff)));
        const stuck = row?.n ?? 0;
        return stuck > 0
          ? `${stuck} reconciles open for more than ${PROVISIONING_STUCK_MINUTES} minutes`
          : null;
      }),
  };
  return COMPONENTS.map((name) => ({ kind: "component" as const, target: name, check: checks[name] }));
}
