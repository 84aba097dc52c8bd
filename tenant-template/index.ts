/**
 * What one tenant is: the tier table, the resource names and the pure spec.
 * The Pulumi component (`environment.ts`) is imported directly by the code that runs Pulumi,
 * so the control plane does not load the Pulumi SDK just to read a tier.
 */
export * from "./names.ts";
export * from "./spec.ts";
export * from "./tiers.ts";
