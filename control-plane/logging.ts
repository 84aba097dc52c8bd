import { AsyncLocalStorage } from "node:async_hooks";
import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import pretty from "pino-pretty";
import { redact, redactedError, redactText } from "./redaction.ts";

/** What every log line written on behalf of a request or an operation carries. */
export interface LogContext {
  requestId?: string;
  /** The tenant's slug, once the work concerns one. */
  tenant?: string;
  operation?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `work` with a log context; everything it starts (promises, timers) logs with it too. */
export function withLogContext<T>(values: LogContext, work: () => T): T {
  return context.run({ ...values }, work);
}

/** The context of the request or operation running now (empty outside of one). */
export function currentLogContext(): LogContext {
  return context.getStore() ?? {};
}

/** Names the tenant the current request or operation concerns, for its remaining log lines. */
export function bindTenant(slug: string): void {
  const store = context.getStore();
  if (store && !store.tenant) store.tenant = slug;
}

export type LogFormat = "pretty" | "json";

/** `LOG_FORMAT` when set; otherwise readable lines for a person at a terminal, JSON for a log collector. */
export function logFormat(configured: LogFormat | undefined, isTerminal: boolean | undefined): LogFormat {
  return configured ?? (isTerminal ? "pretty" : "json");
}

/** Fields of the one-line request summary, left out of the pretty line's key=value tail. */
const REQUEST_FIELDS = ["method", "path", "status", "ms", "gateway"];

/**
 * pino's pretty printer: time, level, message and the remaining fields on one line; a request reads
 * `GET /api/projects 200 12ms` (with its tenant), not a JSON object.
 */
function prettyStream(destination?: DestinationStream): DestinationStream {
  return pretty({
    ...(destination ? { destination } : {}),
    colorize: destination ? false : undefined,
    singleLine: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: ["pid", "hostname", "service", "requestId", "tenant", ...REQUEST_FIELDS].join(","),
    messageFormat: (log, messageKey) => {
      const message = String(log[messageKey] ?? "");
      const tenant = log.tenant ? `[${log.tenant}] ` : "";
      if (message !== "request") return `${tenant}${message}`;
      return `${tenant}${log.method} ${log.path} ${log.status} ${log.ms}ms`;
    },
  });
}

/**
 * The control plane's logger: pino on stdout, JSON or pretty (see `logFormat`). The request id, tenant and operation come from the
 * current context (so code deep in the reconciler needs no logger threaded through), and secrets are
 * redacted by key and by shape before a line is written.
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  format: LogFormat = "json",
): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: "control-plane" },
    mixin: () => {
      const { requestId, tenant, operation } = currentLogContext();
      return {
        ...(requestId ? { requestId } : {}),
        ...(tenant ? { tenant } : {}),
        ...(operation ? { operation } : {}),
      };
    },
    formatters: { log: (object) => redact(object) as Record<string, unknown> },
    serializers: { err: redactedError, error: redactedError },
    hooks: {
      logMethod(args, method) {
        // `logger.error(error)`: pino would take the message verbatim.
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
  };
  if (format === "pretty") return pino(options, prettyStream(destination));
  return destination ? pino(options, destination) : pino(options);
}
