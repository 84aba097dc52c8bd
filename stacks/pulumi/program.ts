import * as pulumi from "@pulumi/pulumi";
import type { ConfigMap, OutputMap } from "@pulumi/pulumi/automation/index.js";
import { TenantEnvironment } from "../../tenant-template/environment.ts";
import type { TenantSpec } from "../../tenant-template/index.ts";
import type { StackOutputs } from "../driver.ts";
import type { PulumiDriverOptions } from "./config.ts";

/**
 * A tenant stack is self-describing: its config holds the spec and the (encrypted) credentials,
 * and the inline program reads only that config. Refresh and destroy need no spec in hand.
 */
export function tenantStackConfig(spec: TenantSpec, options: PulumiDriverOptions): ConfigMap {
  const config: ConfigMap = {
    "websplat:spec": { value: JSON.stringify(spec) },
    "websplat:tier": { value: spec.tier },
    "websplat:suspended": { value: String(spec.suspended) },
    "websplat:generation": { value: String(spec.generation) },
    "websplat:cloudflareZoneId": { value: options.cloudflare.zoneId },
    "websplat:kubeconfig": { value: options.kubeconfig, secret: true },
    "websplat:adminDatabaseUrl": { value: options.adminDatabaseUrl, secret: true },
    "websplat:cloudflareApiToken": { value: options.cloudflare.apiToken, secret: true },
  };
  if (options.modelApiKey) config["websplat:modelApiKey"] = { value: options.modelApiKey, secret: true };
  return config;
}

/** The inline program of every tenant stack. */
export async function tenantProgram(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config("websplat");
  const spec = config.requireObject<TenantSpec>("spec");
  const environment = new TenantEnvironment(spec.slug, {
    spec,
    kubeconfig: config.requireSecret("kubeconfig"),
    adminDatabaseUrl: config.requireSecret("adminDatabaseUrl"),
    cloudflareZoneId: config.require("cloudflareZoneId"),
    cloudflareApiToken: config.requireSecret("cloudflareApiToken"),
    modelApiKey: config.getSecret("modelApiKey"),
  });
  return {
    url: environment.url,
    namespace: environment.namespace,
    databaseSchema: environment.databaseSchema,
    databaseRole: environment.databaseRole,
    replicas: environment.replicas,
    details: environment.details,
  };
}

/** The driver's outputs from a stack's; secret outputs never leave the stack. */
export function stackOutputs(outputs: OutputMap): StackOutputs | null {
  const plain = (key: string) => (outputs[key] && !outputs[key].secret ? outputs[key].value : undefined);
  const url = plain("url");
  if (typeof url !== "string") return null;
  const details = plain("details");
  return {
    url,
    namespace: String(plain("namespace") ?? ""),
    databaseSchema: String(plain("databaseSchema") ?? ""),
    databaseRole: String(plain("databaseRole") ?? ""),
    replicas: Number(plain("replicas") ?? 0),
    details: details && typeof details === "object" ? { ...(details as Record<string, unknown>) } : {},
  };
}
