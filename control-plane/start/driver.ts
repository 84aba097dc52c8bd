import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { LocalDriver, type StackDriver } from "../../stacks/index.ts";
import type { Config } from "../config.ts";
import type { DatabaseHandle } from "../db/client.ts";
import type { Metrics } from "../metrics.ts";
import { modelUpstream, runtimeModelEnv } from "../models/index.ts";
import type { PlatformSecrets } from "../secrets.ts";
import { listDomains } from "../sites/domains.ts";
import { siteToken, siteTokenSecret } from "../sites/index.ts";
import { supportEmail } from "../support.ts";
import { tenantApiToken } from "../tenant-access.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface DriverDeps {
  config: Config;
  database: DatabaseHandle;
  dataDir: string;
  secrets: PlatformSecrets;
  /** The bound port: runtimes on this machine reach the platform at loopback. */
  port: number;
  metrics: Metrics;
  logger: Logger;
}

/** The configured driver: tenants as processes on this machine, or as Pulumi stacks in a cluster. */
export async function createDriver(deps: DriverDeps): Promise<StackDriver> {
  const { config, secrets } = deps;
  const platformUrl = `http://127.0.0.1:${deps.port}`;
  // A runtime's publishing credential and where to publish.
  const runtimeSecrets = (slug: string): Record<string, string> => ({
    WEBSPLAT_PLATFORM_URL: platformUrl,
    WEBSPLAT_SITES_TOKEN: siteToken(siteTokenSecret(secrets.ownerPrivateKey), slug),
  });
  // The tenant API (feedback, own uptime): loopback URL and a credential naming only this tenant.
  const platformEnv = (slug: string): Record<string, string> => ({
    WEBSPLAT_PLATFORM_URL: platformUrl,
    WEBSPLAT_PLATFORM_TOKEN: tenantApiToken(secrets.ownerPrivateKey, slug),
    WEBSPLAT_SUPPORT_EMAIL: supportEmail(),
    ...runtimeModelEnv(modelUpstream(config), platformUrl),
    ...(config.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: config.OTEL_EXPORTER_OTLP_ENDPOINT }
      : {}),
  });
  if (config.pulumi) {
    const pulumi = await import("../../stacks/pulumi/index.ts");
    return pulumi.createPulumiDriver({
      ...pulumi.pulumiDriverOptions(config.pulumi),
      // Tenant pods reach the platform only at its public address: their egress is public HTTPS alone.
      runtimeEnv: (slug) => ({
        ...runtimeSecrets(slug),
        ...platformEnv(slug),
        WEBSPLAT_PLATFORM_URL: config.publicUrl,
        ...runtimeModelEnv(modelUpstream(config), config.publicUrl),
      }),
      // Verified custom domains become Cloudflare for SaaS custom hostnames in the tenant's stack.
      customDomains: config.CLOUDFLARE_SITES_ZONE_ID
        ? {
            sitesZoneId: config.CLOUDFLARE_SITES_ZONE_ID,
            hostnames: async (slug) =>
              (await listDomains(deps.database.db, slug))
                .filter((domain) => domain.status === "verified" || domain.status === "active")
                .map((domain) => domain.hostname),
            platformDomains: [config.WEBSPLAT_BASE_DOMAIN, config.WEBSPLAT_SITES_DOMAIN],
          }
        : undefined,
    });
  }
  const { database, metrics, logger } = deps;
  const driver: StackDriver = new LocalDriver({
    sql: database.sql,
    databaseName: database.name,
    databaseHost: database.url.hostname,
    databasePort: Number(database.url.port || 5432),
    dataDir: deps.dataDir,
    secret: secrets.platformSecret,
    nodePath: process.execPath,
    runtimeEntry: config.WEBSPLAT_RUNTIME_ENTRY
      ? resolve(config.WEBSPLAT_RUNTIME_ENTRY)
      : resolve(ROOT, "agent-runtime/main.ts"),
    machineEnv: config.machineEnv,
    idleSeconds: config.WEBSPLAT_IDLE_SECONDS,
    isBusy: (slug) => runtimeReportsBusy(driver, slug),
    runtimeSecrets,
    platformEnv,
    onRuntimeEvent: (slug, event, detail) => {
      if (event === "crashed") {
        const cause = detail?.startsWith("exit ") ? "exit" : "start_failed";
        metrics.runtimeRestarts.inc({ driver: "local", cause });
      }
      logger[event === "crashed" ? "warn" : "info"](
        { tenant: slug, runtime: event, detail },
        `runtime ${event}`,
      );
    },
  });
  return driver;
}

/**
 * Whether a tenant's builder has a run in progress, as its runtime says on `/healthz?busy` (loopback): such a runtime
 * is not stopped for idleness even when no browser is connected. The runtime owns its tables; the platform
 * never reads them (a tenant's role could make any of them run its own code as the reader).
 */
async function runtimeReportsBusy(driver: StackDriver, slug: string): Promise<boolean> {
  const port = driver.runtimes?.route(slug) ?? null;
  if (!port) return false;
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz?busy`, {
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json()) as { busy?: unknown };
    return body.busy === true;
  } catch {
    // A runtime that cannot answer its health check has no work worth keeping it for.
    return false;
  }
}

/**
 * The driver of a process that runs no tenant operations (WEBSPLAT_ROLE=sites): nothing of it is started, and
 * anything that would change a tenant says which role does it.
 */
export function noDriver(kind: StackDriver["kind"]): StackDriver {
  const refuse = async (): Promise<never> => {
    throw new Error(
      "WEBSPLAT_ROLE=sites runs no tenant operations: they belong to a WEBSPLAT_ROLE=all process.",
    );
  };
  return {
    kind,
    start: async () => {},
    stop: async () => {},
    up: refuse,
    destroy: refuse,
    outputs: refuse,
    preview: refuse,
    refresh: refuse,
    cancel: refuse,
    export: refuse,
  };
}
