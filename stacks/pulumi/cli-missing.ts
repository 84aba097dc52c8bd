/** What an operator reads when the Pulumi CLI cannot be run: one sentence for tenant stacks and the platform stack. */
export const CLI_MISSING_MESSAGE =
  "The Pulumi CLI (`pulumi`) was not found on PATH. Install it (curl -fsSL https://get.pulumi.com | sh, " +
  "or brew install pulumi) and try again. (Tenants alone can also run on this machine: WEBSPLAT_DRIVER=local.)";

/** Whether an Automation API failure means the CLI could not be started at all. */
export function isCliMissing(error: unknown): boolean {
  const text =
    error instanceof Error
      ? `${error.message}\n${String((error as { stderr?: unknown }).stderr ?? "")}`
      : String(error);
  return /ENOENT/.test(text) && /pulumi/.test(text);
}
