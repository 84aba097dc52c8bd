import { and, eq, isNull } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database, Sql } from "../db/client.ts";
import { PROBE_KINDS, probeIncidents } from "../db/schema.ts";
import {
  loadStates,
  type ProbeResult,
  recordResults,
  rollUp,
  saveStates,
  type TargetState,
} from "./history.ts";
import type { ProbeMetrics } from "./metrics.ts";
import { type ProbeTargetDeps, probeTargets } from "./targets.ts";

export interface ProberOptions {
  db: Database;
  sql: Sql;
  logger: Logger;
  metrics: ProbeMetrics;
  targets: ProbeTargetDeps;
  /** Time between rounds; each round starts within ±10 % of it (jitter). */
  intervalMs: number;
  /** Failed probes in a row that raise an alert (and open an incident). */
  failuresToAlert: number;
  /** Targets probed at once. */
  concurrency?: number;
}

export interface RoundSummary {
  probed: number;
  down: number;
  alerting: number;
}

const ROLL_UP_EVERY_MS = 60 * 60_000;

/**
 * Synthetic probes: every round checks every target, records the results, and moves each target's state.
 * An alert fires after N failures in a row (metric, incident, log line naming the target) and clears on the
 * first success. Rounds never overlap; a failing round is logged and the next one runs as planned.
 */
export class Prober {
  readonly #options: ProberOptions;
  readonly #states = new Map<string, TargetState>();
  #timer: NodeJS.Timeout | null = null;
  #round: Promise<unknown> | null = null;
  #lastRollUp = 0;
  #stopped = false;

  constructor(options: ProberOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    for (const state of await loadStates(this.#options.db)) this.#states.set(key(state), state);
    this.#updateGauges();
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#round?.catch(() => {});
  }

  /** Current state of every target. */
  states(): TargetState[] {
    return [...this.#states.values()];
  }

  #schedule(): void {
    if (this.#stopped) return;
    const jitter = 0.9 + Math.random() * 0.2;
    this.#timer = setTimeout(() => {
      this.#round = this.round()
        .catch((error) => this.#options.logger.error({ err: error }, "probe round failed"))
        .finally(() => this.#schedule());
    }, this.#options.intervalMs * jitter);
    this.#timer.unref();
  }

  /** One round: probe, record, move states, raise or clear alerts. */
  async round(now = new Date()): Promise<RoundSummary> {
    const { db, metrics } = this.#options;
    const targets = await probeTargets(this.#options.targets);
    const results: ProbeResult[] = new Array(targets.length);
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const i = next++;
        const target = targets[i]!;
        const outcome = await target.check();
        metrics.duration.observe({ kind: target.kind, state: outcome.state }, outcome.latencyMs / 1000);
        results[i] = { kind: target.kind, target: target.target, ...outcome };
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.#options.concurrency ?? 32, targets.length) }, worker),
    );

    await recordResults(db, now, results);
    const seen = new Set<string>();
    for (const result of results) {
      seen.add(key(result));
      await this.#advance(result, now);
    }
    for (const [id, state] of this.#states) {
      if (seen.has(id)) continue;
      // No longer probed (suspended, deleted): its open incident ends with it.
      if (state.alerting) await this.#resolveIncident(state, now);
      this.#states.delete(id);
    }
    await saveStates(db, this.states());
    this.#updateGauges();
    if (now.getTime() - this.#lastRollUp > ROLL_UP_EVERY_MS) {
      this.#lastRollUp = now.getTime();
      await rollUp(this.#options.sql, now);
    }
    const all = this.states();
    return {
      probed: results.length,
      down: all.filter((s) => s.state === "down").length,
      alerting: all.filter((s) => s.alerting).length,
    };
  }

  async #advance(result: ProbeResult, now: Date): Promise<void> {
    const previous = this.#states.get(key(result));
    const failures = result.state === "down" ? (previous?.consecutiveFailures ?? 0) + 1 : 0;
    const state: TargetState = {
      kind: result.kind,
      target: result.target,
      state: result.state,
      consecutiveFailures: failures,
      alerting: previous?.alerting ?? false,
      since: previous && previous.state === result.state ? previous.since : now,
      lastCheckedAt: now,
      lastLatencyMs: result.latencyMs,
      lastError: result.error,
    };
    if (!state.alerting && failures >= this.#options.failuresToAlert) {
      state.alerting = true;
      await this.#options.db.insert(probeIncidents).values({
        kind: result.kind,
        target: result.target,
        startedAt: now,
        error: result.error,
      });
      this.#options.logger.error(
        { probe: result.kind, target: result.target, failures, error: result.error },
        `probe alert: ${result.kind} ${result.target} failed ${failures} probes in a row`,
      );
    } else if (state.alerting && result.state !== "down") {
      state.alerting = false;
      await this.#resolveIncident(state, now);
      this.#options.logger.warn(
        { probe: result.kind, target: result.target, state: result.state },
        `probe recovered: ${result.kind} ${result.target} is ${result.state}`,
      );
    }
    this.#states.set(key(result), state);
  }

  async #resolveIncident(state: Pick<TargetState, "kind" | "target">, now: Date): Promise<void> {
    await this.#options.db
      .update(probeIncidents)
      .set({ resolvedAt: now })
      .where(
        and(
          eq(probeIncidents.kind, state.kind),
          eq(probeIncidents.target, state.target),
          isNull(probeIncidents.resolvedAt),
        ),
      );
  }

  #updateGauges(): void {
    const { metrics } = this.#options;
    metrics.targets.reset();
    for (const kind of PROBE_KINDS) {
      const mine = this.states().filter((s) => s.kind === kind);
      metrics.up.set({ kind }, mine.filter((s) => s.state !== "down").length);
      metrics.alerting.set({ kind }, mine.filter((s) => s.alerting).length);
      for (const state of ["up", "down", "idle"] as const)
        metrics.targets.set({ kind, state }, mine.filter((s) => s.state === state).length);
    }
  }
}

function key(target: { kind: string; target: string }): string {
  return `${target.kind}:${target.target}`;
}
