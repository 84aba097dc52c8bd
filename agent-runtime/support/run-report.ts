import { setTimeout as sleep } from "node:timers/promises";
import { eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { RuntimeConfig } from "../config.ts";
import type { Database } from "../db/index.ts";
import { runs } from "../db/schema.ts";
import { RuntimeError } from "../http/errors.ts";
import { finishedStatuses } from "../runs/status.ts";
import { platformClient, type RunReport } from "./platform-client.ts";

/** Waits before each retry of a report the platform did not take: a few tries over about half a minute. */
export const REPORT_RETRY_DELAYS_MS = [1000, 5000, 25_000];

/**
 * Tells the platform a run finished (status, tokens), for its usage figures; the platform never reads this
 * builder's tables. Run alone (no platform) it does nothing. A report that fails is retried after each of
 * `retryDelaysMs`, then logged: never thrown, so it cannot fail the run. Resolves once sent or given up.
 */
export async function reportFinishedRun(
  deps: { db: Database; config: RuntimeConfig; log: Logger },
  runId: string,
  retryDelaysMs: readonly number[] = REPORT_RETRY_DELAYS_MS,
): Promise<void> {
  if (!deps.config.platform) return;
  try {
    const [run] = await deps.db
      .select({
        status: runs.status,
        promptTokens: runs.promptTokens,
        completionTokens: runs.completionTokens,
        finishedAt: runs.finishedAt,
      })
      .from(runs)
      .where(eq(runs.id, runId));
    if (!run?.finishedAt || !finishedStatuses.includes(run.status as RunReport["status"])) return;
    const report: RunReport = {
      runId,
      status: run.status as RunReport["status"],
      promptTokens: run.promptTokens,
      completionTokens: run.completionTokens,
      finishedAt: run.finishedAt.toISOString(),
    };
    const platform = platformClient(deps.config);
    for (let attempt = 0; ; attempt++) {
      try {
        await platform.reportRun(report);
        return;
      } catch (error) {
        // A refusal for bad input will not change on retry; an unreachable or failing platform may.
        const retryable = !(error instanceof RuntimeError) || error.status >= 500;
        const delay = retryDelaysMs[attempt];
        if (!retryable || delay === undefined) {
          deps.log.warn(
            { err: error, runId, attempts: attempt + 1 },
            "the platform did not take this run's usage",
          );
          return;
        }
        // Not holding the process open: a runtime shutting down does not wait for a retry.
        await sleep(delay, undefined, { ref: false });
      }
    }
  } catch (error) {
    deps.log.warn({ err: error, runId }, "this run's usage could not be reported");
  }
}
