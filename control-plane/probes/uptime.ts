import { desc, gte, isNull, or } from "drizzle-orm";
import type { Database, Sql } from "../db/client.ts";
import { type ProbeKind, probeIncidents, probeTargets } from "../db/schema.ts";
import { COMPONENTS, type Component } from "./targets.ts";

export interface DailyUptime {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Share of successful checks that day, null without checks. */
  uptime: number | null;
}

export interface UptimeSummary {
  /** Over the whole window, null without checks. */
  uptime: number | null;
  days: DailyUptime[];
}

const DAY_MS = 86_400_000;

/** Uptime of one kind of target over the last `days` days (both history tables), optionally one target. */
export async function uptime(
  sql: Sql,
  options: { kind: ProbeKind; target?: string; days: number; now?: Date },
): Promise<UptimeSummary> {
  const now = options.now ?? new Date();
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const since = new Date(today - (options.days - 1) * DAY_MS);
  const target = options.target ?? null;
  const rows = await sql<Array<{ day: string; checks: string; failures: string }>>`
    select to_char(at at time zone 'UTC', 'YYYY-MM-DD') as day, sum(checks) as checks, sum(failures) as failures from (
      select minute as at, checks, failures from control_plane.probe_minutes
        where kind = ${options.kind} and minute >= ${since.toISOString()}::timestamptz and (${target}::text is null or target = ${target})
      union all
      select hour, checks, failures from control_plane.probe_hours
        where kind = ${options.kind} and hour >= ${since.toISOString()}::timestamptz and (${target}::text is null or target = ${target})
    ) history group by 1`;
  const byDay = new Map(rows.map((r) => [r.day, r]));
  let checks = 0;
  let failures = 0;
  const days: DailyUptime[] = [];
  for (let t = since.getTime(); t <= today; t += DAY_MS) {
    const day = isoDay(new Date(t));
    const row = byDay.get(day);
    const c = Number(row?.checks ?? 0);
    const f = Number(row?.failures ?? 0);
    checks += c;
    failures += f;
    days.push({ day, uptime: c > 0 ? (c - f) / c : null });
  }
  return { uptime: checks > 0 ? (checks - failures) / checks : null, days };
}

export interface ComponentStatus {
  name: Component | "tenants";
  state: "operational" | "degraded" | "down" | "unknown";
  /** Why it is not operational (components only: tenant details never leave the admin API). */
  detail: string | null;
  uptime: UptimeSummary;
}

export interface Incident {
  component: Component | "tenants";
  startedAt: Date;
  resolvedAt: Date | null;
}

/** The status page's data: components (and tenant environments in aggregate), 90 days, no tenant names. */
export async function platformStatus(
  db: Database,
  sql: Sql,
  now = new Date(),
): Promise<{ components: ComponentStatus[]; incidents: Incident[] }> {
  const states = await db.select().from(probeTargets);
  const components: ComponentStatus[] = [];
  for (const name of COMPONENTS) {
    const state = states.find((s) => s.kind === "component" && s.target === name);
    components.push({
      name,
      state: !state ? "unknown" : state.alerting || state.state === "down" ? "down" : "operational",
      detail: state?.state === "down" ? state.lastError : null,
      uptime: await uptime(sql, { kind: "component", target: name, days: 90, now }),
    });
  }
  const tenants = states.filter((s) => s.kind === "tenant");
  const down = tenants.filter((s) => s.alerting).length;
  components.push({
    name: "tenants",
    state:
      tenants.length === 0
        ? "unknown"
        : down === 0
          ? "operational"
          : down === tenants.length
            ? "down"
            : "degraded",
    detail: down > 0 ? `${down} of ${tenants.length} customer environments unreachable` : null,
    uptime: await uptime(sql, { kind: "tenant", days: 90, now }),
  });
  const since = new Date(now.getTime() - 90 * DAY_MS);
  const rows = await db
    .select({
      kind: probeIncidents.kind,
      target: probeIncidents.target,
      startedAt: probeIncidents.startedAt,
      resolvedAt: probeIncidents.resolvedAt,
    })
    .from(probeIncidents)
    .where(or(gte(probeIncidents.startedAt, since), isNull(probeIncidents.resolvedAt)))
    .orderBy(desc(probeIncidents.startedAt))
    .limit(200);
  const incidents = rows.map((r) => ({
    component: r.kind === "component" ? (r.target as Component) : ("tenants" as const),
    startedAt: r.startedAt,
    resolvedAt: r.resolvedAt,
  }));
  return { components, incidents };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
