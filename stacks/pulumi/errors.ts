import { StackError } from "../driver.ts";
import { CLI_MISSING_MESSAGE, isCliMissing } from "./cli-missing.ts";

export { CLI_MISSING_MESSAGE };

/** Failures of the Automation API we act on; matched by name so a test workspace can raise them too. */
export type PulumiFailure =
  | "already_exists"
  | "not_found"
  | "concurrent_update"
  | "pending_operations"
  | "cli_missing"
  | "other";

export function pulumiFailure(error: unknown): PulumiFailure {
  if (error instanceof StackError) return error.code === "cli_missing" ? "cli_missing" : "other";
  const name = error instanceof Error ? error.name : "";
  const text = errorText(error);
  if (name === "StackAlreadyExistsError") return "already_exists";
  if (name === "StackNotFoundError") return "not_found";
  if (name === "ConcurrentUpdateError") return "concurrent_update";
  if (isCliMissing(error)) return "cli_missing";
  // The engine refuses to go on while a crashed update left operations half done.
  if (/pending operations|interrupted while|clear-pending-creates/i.test(text)) return "pending_operations";
  return "other";
}

/** Every failure leaves the driver as a StackError with a code the reconciler understands. */
export function toStackError(error: unknown, what: string): StackError {
  if (error instanceof StackError) return error;
  switch (pulumiFailure(error)) {
    case "cli_missing":
      return new StackError("cli_missing", CLI_MISSING_MESSAGE, { cause: error });
    case "concurrent_update":
      return new StackError(
        "concurrent_update",
        `${what}: another update of this stack is in progress; retry later.`,
        {
          cause: error,
          retryable: true,
        },
      );
    case "not_found":
      return new StackError("not_found", `${what}: the stack does not exist.`, { cause: error });
    default:
      return new StackError("failed", `${what} failed: ${firstErrorLine(error)}`, { cause: error });
  }
}

/** The line of Pulumi's output that says what went wrong, not the whole transcript. */
export function firstErrorLine(error: unknown): string {
  const lines = errorText(error)
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  const line =
    lines.find((candidate) => /^error:/i.test(candidate)) ??
    lines.find((candidate) => /error/i.test(candidate));
  return (line ?? lines[0] ?? "unknown error").slice(0, 500);
}

/** The message and, for a failed command, what it wrote to stderr. */
function errorText(error: unknown): string {
  if (error instanceof Error)
    return `${error.message}\n${String((error as { stderr?: unknown }).stderr ?? "")}`;
  return String(error);
}
