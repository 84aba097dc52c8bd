/**
 * The tenant guardrails as a Pulumi policy pack: `pulumi up --policy-pack stacks/pulumi/guardrails`
 * (the control plane passes it on every tenant preview and update).
 * Plain JavaScript on purpose: Pulumi's runner (`@pulumi/pulumi/cmd/run-policy-pack`) always
 * registers ts-node with type checking, which rejects our `.ts` import paths (TS5097). This entry
 * is ESM, which ts-node leaves alone, so Node 24 loads the `.ts` rules itself (type stripping).
 * Constructing the pack starts the analyzer server, so only the Pulumi CLI should load this file;
 * tests use `rules.ts` and `policies.ts`.
 */
import { PolicyPack } from "@pulumi/policy";
import { tenantPolicies } from "./policies.ts";

new PolicyPack("websplat-tenant-guardrails", { policies: tenantPolicies });
