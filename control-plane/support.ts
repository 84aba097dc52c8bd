/** Where customers and owners write for help: every page footer shows it, and emails should too. */
export const DEFAULT_SUPPORT_EMAIL = "support@websp.lat";

let address = DEFAULT_SUPPORT_EMAIL;

/** Set once at start from `WEBSPLAT_SUPPORT_EMAIL` (parsed by config.ts): every page footer shows it. */
export function useSupportEmail(configured: string | undefined): void {
  address = configured ?? DEFAULT_SUPPORT_EMAIL;
}

/** The support address in force. */
export function supportEmail(): string {
  return address;
}
