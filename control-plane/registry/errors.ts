/** Why the registry refused: the API layer answers each with its own HTTP status (http/errors.ts). */
export type RegistryErrorCode =
  | "not_found"
  | "slug_malformed"
  | "slug_double_hyphen"
  | "slug_reserved"
  | "slug_taken"
  | "tenant_deleted"
  | "awaiting_payment"
  | "too_many_reservations"
  | "invalid_cursor";

/** A refusal the caller can act on: a code for scripts, a sentence for people. */
export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  constructor(code: RegistryErrorCode, message: string) {
    super(message);
    this.name = "RegistryError";
    this.code = code;
  }
}
