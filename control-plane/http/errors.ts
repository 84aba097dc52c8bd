import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { RegistryError, type RegistryErrorCode } from "../registry/errors.ts";

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

/** The HTTP answer to each registry refusal. */
const REGISTRY_STATUS: Record<RegistryErrorCode, ContentfulStatusCode> = {
  not_found: 404,
  slug_malformed: 400,
  slug_double_hyphen: 400,
  slug_reserved: 400,
  slug_taken: 409,
  tenant_deleted: 409,
  awaiting_payment: 409,
  too_many_reservations: 429,
  invalid_cursor: 400,
};

/** An error the caller can act on as an HTTP answer, or null when it is ours (a 500). */
export function callerError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof RegistryError)
    return new ApiError(REGISTRY_STATUS[error.code], error.code, error.message);
  return null;
}
