import { sql as dsql } from "drizzle-orm";
import type { Database, Sql } from "../db/client.ts";
import { type ProbeKind, type ProbeState, probeMinutes, probeTargets } from "../db/schema.ts";

/** Minute-resolution history is kept this long, then rolled up by hour. */
export const MINUTE_HISTORY_DAYS = 7;
/** Hourly roll-ups (and resolved incidents) are kept this long: the status page's 90 days. */
export const HOUR_HISTORY_DAYS = 90;

export interface ProbeResult {
  kind: ProbeKind;
  target: string;
  state: ProbeState;
  latencyMs: number;
  status: number | null;
  error: string | null;
}

export interface TargetState {
  kind: ProbeKind;
  target: string;
  state: ProbeState;
  consecutiveFailures: number;
  alerting: boolean;
  since: Date;
  lastCheckedAt: Date;
  lastLatencyMs: number | null;
  lastError: string | null;
}

/** One round's results into the minute table (checks in the same minute add up), in one statement. */
export async function recordResults(db: Database, at: Date, results: ProbeResult[]): Promise<void> {
  if (results.length === 0) return;
  const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  await db
    .insert(probeMinutes)
    .values(
      results.map((r) => ({
        kind: r.kind,
        target: r.target,
        minute,
        checks: 1,
        failures: r.state === "down" ? 1 : 0,
        idle: r.state === "idle" ? 1 : 0,
        latencyMsSum: r.latencyMs,
        latencyMsMax: r.latencyMs,
        lastStatus: r.status,
        lastError: r.error,
      })),
    )
    .onConflictDoUpdate({
      target: [probeMinutes.kind, probeMinutes.target, probeMinutes.minute],
      set: {
        checks: dsql`${probeMinutes.checks} + excluded.checks`,
        failures: dsql`${probeMinutes.failures} + excluded.failures`,
        idle: dsql`${probeMinutes.idle} + excluded.idle`,
        latencyMsSum: dsql`${probeMinutes.latencyMsSum} + excluded.latency_ms_sum`,
        latencyMsMax: dsql`greatest(${probeMinutes.latencyMsMax}, excluded.latency_ms_max)`,
        lastStatus: dsql`excluded.last_status`,
        lastError: dsql`excluded.last_error`,
      },
    });
}

/** Every target's current state, written in one statement; targets no longer probed are forgotten. */
export async function saveStates(db: Database, states: TargetState[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(probeTargets);
    if (states.length > 0) await tx.insert(probeTargets).values(states);
  });
}

export async function loadStates(db: Database): Promise<TargetState[]> {
  return await db.select().from(probeTargets);
}

/**
 * Bounded history: minutes older than 7 days become hourly rows, hours older than 90 days and incidents
 * resolved before then are deleted. Idempotent; run hourly.
 */
export async function rollUp(sql: Sql, now = new Date()): Promise<void> {
  const minuteCutoff = new Date(now.getTime() - MINUTE_HISTORY_DAYS * 86_400_000);
  const hourCutoff = new Date(now.getTime() - HOUR_HISTORY_DAYS * 86_400_000);
  await sql.begin(async (tx) => {
    await tx`
      insert into control_plane.probe_hours (kind, target, hour, checks, failures, idle, latency_ms_sum, latency_ms_max)
      select kind, target, date_trunc('hour', minute), sum(checks), sum(failures), sum(idle), sum(latency_ms_sum), max(latency_ms_max)
      from control_plane.probe_minutes where minute < ${minuteCutoff.toISOString()}::timestamptz
      group by kind, target, date_trunc('hour', minute)
      on conflict (kind, target, hour) do update set
        checks = probe_hours.checks + excluded.checks,
        failures = probe_hours.failures + excluded.failures,
        idle = probe_hours.idle + excluded.idle,
        latency_ms_sum = probe_hours.latency_ms_sum + excluded.latency_ms_sum,
        latency_ms_max = greatest(probe_hours.latency_ms_max, excluded.latency_ms_max)`;
    await tx`delete from control_plane.probe_minutes where minute < ${minuteCutoff.toISOString()}::timestamptz`;
    await tx`delete from control_plane.probe_hours where hour < ${hourCutoff.toISOString()}::timestamptz`;
    await tx`delete from control_plane.probe_incidents where resolved_at < ${hourCutoff.toISOString()}::timestamptz`;
  });
}
