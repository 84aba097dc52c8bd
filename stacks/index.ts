/** How a TenantSpec becomes real. The Pulumi driver (`stacks/pulumi/index.ts`) is loaded only when asked for. */
export * from "./driver.ts";
export * from "./local/index.ts";
