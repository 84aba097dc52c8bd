import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { FINISHED, type LogLine, type OperationLog, operationView } from "../registry/operations.ts";

/** Polling interval that catches lines written by other control-plane instances. */
const POLL_MS = 1000;

/**
 * Streams an operation's log as SSE (`event: log`, `id:` = line number, resumable with Last-Event-ID),
 * then `event: end` with the finished operation, then closes.
 */
export function streamOperation(c: Context, operations: OperationLog, id: string) {
  const resumeFrom = Number.parseInt(c.req.header("last-event-id") ?? c.req.query("after") ?? "0", 10) || 0;
  return streamSSE(c, async (stream) => {
    let last = resumeFrom;
    let wake: (() => void) | null = null;
    const nudge = () => wake?.();
    const unsubscribe = operations.subscribe(id, nudge, nudge);
    stream.onAbort(() => {
      unsubscribe();
      nudge();
    });
    try {
      while (!stream.aborted) {
        const lines: LogLine[] = await operations.lines(id, last);
        for (const line of lines) {
          await stream.writeSSE({ event: "log", id: String(line.seq), data: JSON.stringify(line) });
          last = line.seq;
        }
        const operation = await operations.get(id);
        if (!operation) break;
        if (FINISHED.has(operation.status)) {
          const rest = await operations.lines(id, last);
          for (const line of rest)
            await stream.writeSSE({ event: "log", id: String(line.seq), data: JSON.stringify(line) });
          await stream.writeSSE({ event: "end", data: JSON.stringify(operationView(operation)) });
          break;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      unsubscribe();
    }
  });
}
