import { stdSerializers } from "pino";

// The runtime's copy is agent-runtime/redaction.ts: the same code, pinned by tests/unit/runtime-copies.test.ts.

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

/** pino's error serialiser, with the same redaction applied to the message, stack and fields. */
export function redactedError(error: unknown): unknown {
  return redact(error instanceof Error ? stdSerializers.err(error) : error);
}
