/**
 * The tenant guardrails as a Pulumi policy pack: `pulumi up --policy-pack tenant-template/policy`.
 * Constructing the pack starts the analyzer server, so only the Pulumi CLI should load this file;
 * tests use `rules.ts` and `policies.ts`.
 */
import { PolicyPack } from "@pulumi/policy";
import { tenantPolicies } from "./policies.ts";

new PolicyPack("websplat-tenant-guardrails", { policies: tenantPolicies });
