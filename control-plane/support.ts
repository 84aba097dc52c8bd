/** Where customers and owners write for help: every page footer shows it, and emails should too. */
export const DEFAULT_SUPPORT_EMAIL = "support@websp.lat";

/** The support address in force (`WEBSPLAT_SUPPORT_EMAIL`, validated at start by config.ts). */
export function supportEmail(): string {
  return process.env.WEBSPLAT_SUPPORT_EMAIL?.trim() || DEFAULT_SUPPORT_EMAIL;
}
