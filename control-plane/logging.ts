import { AsyncLocalStorage } from "node:async_hooks";
import { type DestinationStream, type Logger, type LoggerOptions, pino, stdSerializers } from "pino";

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

/**
 * The control plane's logger: pino JSON on stdout. The request id, tenant and operation come from the
 * current context (so code deep in the reconciler needs no logger threaded through), and secrets are
 * redacted by key and by shape before a line is written.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
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
  return destination ? pino(options, destination) : pino(options);
}

export const REDACTED = "[redacted]";

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEY =
  /(token|password|passwd|secret|authorization|cookie|signature|api[-_]?key|private[-_]?key|credential)$/i;

/** Secrets recognisable by their shape inside free text (error messages, URLs). */
const SECRET_TEXT: Array<[RegExp, string]> = [
  // postgres://user:password@host → the password goes, the rest helps debugging.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]+:)[^@/\s]+@/gi, `$1${REDACTED}@`],
  [/\b(Bearer\s+)[\w.~+/=-]+/gi, `$1${REDACTED}`],
  [/\bwhsec_[\w+/=]+/g, REDACTED],
  [/\bwsa_[\w-]+/g, REDACTED],
  [/\b(sk|rk)_(test|live)_\w+/g, REDACTED],
  [/([?&](token|key|secret|signature|password)=)[^&\s"']+/gi, `$1${REDACTED}`],
];

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

/** A copy of a log object with secret-named fields and secret-shaped text replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  // Errors are serialised (and then redacted) by `redactedError`.
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      SECRET_KEY.test(key) && item !== undefined && item !== null ? REDACTED : redact(item, depth + 1);
  }
  return out;
}

function redactedError(error: unknown): unknown {
  return redact(error instanceof Error ? stdSerializers.err(error) : error);
}
