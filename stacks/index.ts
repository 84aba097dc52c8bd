/** How a TenantSpec becomes real. The Pulumi driver is loaded only when asked for. */
export * from "./driver.ts";
export { tenantPlatformToken, tenantPlatformTokenMatches } from "./local/platform-token.ts";
export { freePort } from "./local/ports.ts";
export type { RuntimeStatus } from "./local/supervisor.ts";
export { LocalDriver, type LocalDriverOptions } from "./local.ts";
