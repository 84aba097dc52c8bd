/** A failure the CLI reports as one line with a code; `exitCode` 2 marks a usage mistake, 1 anything else. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: 1 | 2;
  /** The HTTP status when the control plane answered with this error. */
  readonly status: number | undefined;
  /** Already shown to the user (by a spinner, or in the command's own output): only the exit code is left. */
  reported = false;

  constructor(code: string, message: string, exitCode: 1 | 2 = 1, status?: number) {
    super(message);
    this.name = "CliError";
    this.code = code;
    this.exitCode = exitCode;
    this.status = status;
  }
}

export function usageError(message: string): CliError {
  return new CliError("usage", message, 2);
}

/** The same error, marked as already shown. */
export function reported(error: unknown): CliError {
  const failure =
    error instanceof CliError
      ? error
      : new CliError("failed", error instanceof Error ? error.message : String(error));
  failure.reported = true;
  return failure;
}
