import type { Logger } from "pino";
import { type OperationContext, StackError } from "../../stacks/index.ts";
import type { ErrorInfo } from "../db/schema.ts";
import type { OperationLog } from "./operations.ts";

export interface RunOptions<T> {
  operations: OperationLog;
  /** Advisory-lock key of the control-plane instance running it: another instance marks it interrupted if this one dies. */
  instance: number;
  /** Aborted when the work must stop (timeout, shutdown). */
  signal: AbortSignal;
  /** @default 1 */
  attempt?: number;
  /** Whether a failure is final; otherwise a retryable failure is thrown back for the queue to retry. @default true */
  finalAttempt?: boolean;
  /** Also receives the operation's log lines. */
  logger?: Logger;
  /** What the record keeps of the work's value. @default the value itself */
  result?: (value: T) => unknown;
}

/** What the work of an operation sees. */
export interface OperationRun {
  id: string;
  /** Queues a line of the operation's log; the operation waits for its lines before it finishes. */
  log(message: string, level?: "info" | "warn" | "error"): Promise<void>;
  /** Where a driver reports progress. */
  context: OperationContext;
  /** Whether a failure with `error` will be retried rather than recorded as final. */
  willRetry(error: unknown): boolean;
}

/**
 * Runs `work` as operation `id`: marks it running on this instance, then succeeded with the work's result, or
 * failed with the error's code and sentence. A failure that will be retried is recorded and thrown back; a final
 * one is recorded and gives `undefined`.
 */
export async function runOperation<T>(
  id: string,
  options: RunOptions<T>,
  work: (run: OperationRun) => Promise<T>,
): Promise<T | undefined> {
  const { operations, attempt = 1, finalAttempt = true } = options;
  const log = (message: string, level: "info" | "warn" | "error" = "info") => {
    options.logger?.[level]({ attempt }, message);
    return operations.append(id, message, level).catch(() => {});
  };
  const run: OperationRun = {
    id,
    log,
    context: { signal: options.signal, log: (message, level) => void log(message, level) },
    willRetry: (error) => !finalAttempt && !(error instanceof StackError && !error.retryable),
  };

  await operations.update(id, {
    status: "running",
    attempt,
    instanceKey: options.instance,
    started: attempt === 1,
  });
  if (attempt > 1) void log(`Attempt ${attempt}`);
  try {
    const value = await work(run);
    const result = options.result ? options.result(value) : value;
    await operations.update(id, { status: "succeeded", result: result ?? null, error: null, finished: true });
    return value;
  } catch (error) {
    const info = errorInfo(error);
    const retrying = run.willRetry(error);
    void log(`${info.message}${retrying ? " — retrying with backoff" : ""}`, "error");
    await operations.update(id, { error: info, ...(retrying ? {} : { status: "failed", finished: true }) });
    if (retrying) throw error;
    return undefined;
  }
}

/** The code and sentence an operation or a tenant records for a failure. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof StackError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: "reconcile_failed", message: error.message };
  return { code: "reconcile_failed", message: String(error) };
}
