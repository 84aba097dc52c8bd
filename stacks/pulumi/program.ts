import * as pulumi from "@pulumi/pulumi";
import type { ConfigMap, OutputMap, PulumiFn } from "@pulumi/pulumi/automation/index.js";
import { TenantEnvironment } from "../../tenant-template/environment.ts";
import type { TenantSpec } from "../../tenant-template/index.ts";
import type { StackOutputs } from "../driver.ts";
import type { PulumiDriverOptions } from "./config.ts";

/**
 * A tenant stack's config holds its spec (refresh and destroy need no spec in hand) and nothing
 * secret: `setAllConfig` passes every value on the CLI's command line, where any process of the pod
 * can read it. Credentials reach the inline program from the driver's memory instead (it runs in
 * this process), and the state keeps them only encrypted, as provider inputs.
 */
export function tenantStackConfig(
  spec: TenantSpec,
  options: PulumiDriverOptions,
  customDomains: string[] = [],
): ConfigMap {
  return {
    "websplat:spec": { value: JSON.stringify(spec) },
    "websplat:tier": { value: spec.tier },
    "websplat:suspended": { value: String(spec.suspended) },
    "websplat:generation": { value: String(spec.generation) },
    "websplat:cloudflareZoneId": { value: options.cloudflare.zoneId },
    "websplat:deleteUnreachable": { value: String(options.clusterRebuilt ?? false) },
    "websplat:customDomains": { value: JSON.stringify(customDomains) },
  };
}

/** The credentials a tenant program needs, held by the driver. */
export type TenantCredentials = Pick<
  PulumiDriverOptions,
  "kubeconfig" | "adminDatabaseUrl" | "cloudflare" | "databaseCaFile" | "runtimeEnv" | "customDomains"
>;

/** The inline program of every tenant stack, closed over the driver's credentials. */
export function tenantProgram(credentials: TenantCredentials): PulumiFn {
  return async () => {
    const config = new pulumi.Config("websplat");
    const spec = config.requireObject<TenantSpec>("spec");
    const hostnames = config.getObject<string[]>("customDomains") ?? [];
    const sites = credentials.customDomains;
    const environment = new TenantEnvironment(spec.slug, {
      spec,
      kubeconfig: credentials.kubeconfig ? pulumi.secret(credentials.kubeconfig) : undefined,
      adminDatabaseUrl: pulumi.secret(credentials.adminDatabaseUrl),
      databaseCaFile: credentials.databaseCaFile,
      cloudflareZoneId: config.require("cloudflareZoneId"),
      cloudflareApiToken: pulumi.secret(credentials.cloudflare.apiToken),
      runtimeEnv: credentials.runtimeEnv?.(spec.slug),
      deleteUnreachable: config.getBoolean("deleteUnreachable") ?? false,
      customDomains:
        sites && hostnames.length > 0
          ? {
              hostnames,
              sitesZoneId: sites.sitesZoneId,
              platformDomains: sites.platformDomains,
              cloudflareApiToken: pulumi.secret(credentials.cloudflare.apiToken),
            }
          : undefined,
    });
    return {
      url: environment.url,
      namespace: environment.namespace,
      databaseSchema: environment.databaseSchema,
      databaseRole: environment.databaseRole,
      replicas: environment.replicas,
      details: environment.details,
    };
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
