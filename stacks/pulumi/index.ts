/**
 * The production driver (DESIGN §10): tenant stacks with Pulumi's Automation API.
 * The control plane loads this file only when `WEBSPLAT_DRIVER=pulumi`, so local mode never
 * loads the Pulumi SDK.
 */
import type { StackDriver } from "../driver.ts";
import type { PulumiDriverOptions } from "./config.ts";
import { PulumiStackDriver } from "./driver.ts";

export {
  type CustomDomainSource,
  type PulumiDriverOptions,
  type PulumiSettings,
  pulumiDriverOptions,
} from "./config.ts";
export { CLI_MISSING_MESSAGE } from "./errors.ts";
export type { RunOptions, StackRequest, StackWorkspaces, WorkspaceStack } from "./workspace.ts";

/** A StackDriver over Pulumi; call `start()` once at boot (checks the CLI, installs plugins). */
export function createPulumiDriver(options: PulumiDriverOptions): StackDriver {
  return new PulumiStackDriver(options);
}
