import { AsyncLocalStorage } from "node:async_hooks";
import type { MiddlewareHandler } from "hono";
import { type Logger, pino } from "pino";
import { redact, redactedError, redactText } from "./redaction.ts";

const context = new AsyncLocalStorage<{ requestId: string }>();

/**
 * The runtime's logger: pino JSON with `tenant` on every line, the request id of the request that led to
 * the line (runs started by a request keep it), and secrets redacted by key and by shape.
 */
export function createRuntimeLogger(level: string, tenant: string): Logger {
  return pino({
    level,
    base: { service: "agent-runtime", tenant },
    mixin: () => {
      const requestId = context.getStore()?.requestId;
      return requestId ? { requestId } : {};
    },
    formatters: { log: (object) => redact(object) as Record<string, unknown> },
    serializers: { err: redactedError, error: redactedError },
    hooks: {
      logMethod(args, method) {
        const [first, second] = args as unknown[];
        const normalised =
          first instanceof Error && typeof second !== "string" ? [{ err: first }, first.message] : args;
        method.apply(
          this,
          normalised.map((arg) => (typeof arg === "string" ? redactText(arg) : arg)) as Parameters<
            typeof method
          >,
        );
      },
    },
  });
}

const QUIET_PATHS = new Set(["/healthz", "/metrics"]);

/**
 * Runs the request in a log context (the id set by hono's `requestId`, which honours the control plane's
 * `X-Request-Id`) and logs one line per request, without the query string (sign-in tokens travel there).
 */
export function requestLog(log: Logger): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    const started = performance.now();
    await context.run({ requestId: c.get("requestId") }, async () => {
      await next();
      const level = QUIET_PATHS.has(c.req.path) && c.res.status < 400 ? "debug" : "info";
      log[level](
        {
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round(performance.now() - started),
        },
        "request",
      );
    });
  };
}
