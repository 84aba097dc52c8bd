/** The local driver (DESIGN §9): a TenantSpec made real on this machine, runtimes as supervised processes. */
export { LocalDriver, type LocalDriverOptions } from "./driver.ts";
export { freePort } from "./ports.ts";
export type { RuntimeStatus } from "./supervisor.ts";
