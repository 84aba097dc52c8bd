import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error the caller can act on: a code for scripts, a sentence for people, a 4xx status. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  constructor(status: ContentfulStatusCode, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} was not found.`);

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

export function sendError(c: Context, error: ApiError) {
  return c.json(errorBody(error.code, error.message), error.status);
}
