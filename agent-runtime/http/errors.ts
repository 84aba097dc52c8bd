import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A failure the caller can act on: a stable code, a sentence, and the HTTP status it maps to. */
export class RuntimeError extends Error {
  readonly code: string;
  readonly status: ContentfulStatusCode;
  constructor(code: string, message: string, status: ContentfulStatusCode = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export function errorResponse(c: Context, error: unknown) {
  if (error instanceof RuntimeError) {
    return c.json({ error: { code: error.code, message: error.message } }, error.status);
  }
  return c.json(
    { error: { code: "internal", message: "Something broke in WebSplat; the error was logged." } },
    500,
  );
}
