import type { Logger } from "pino";
import type { OperationContext, StackDriver } from "../stacks/index.ts";
import { type PlatformInput, type TenantSpec, tenantSpec } from "../tenant-template/index.ts";
import { signOwnerToken } from "./auth/owner-token.ts";
import type { StripeEventProcessor } from "./billing/webhook.ts";
import type { Config } from "./config.ts";
import type { Database, Sql } from "./db/client.ts";
import { auditLog, type OperationKind } from "./db/schema.ts";
import type { Mailer } from "./email/index.ts";
import { bindTenant } from "./logging.ts";
import type { Metrics } from "./metrics.ts";
import type { Reconciler } from "./reconciler/index.ts";
import type { OperationLog } from "./registry/operations.ts";
import { runOperation } from "./registry/run-operation.ts";
import type { Tenant } from "./registry/tenants.ts";

/** Everything the HTTP layer needs, built once at start (`platform.ts`). */
export interface Services {
  config: Config;
  db: Database;
  sql: Sql;
  logger: Logger;
  metrics: Metrics;
  driver: StackDriver;
  operations: OperationLog;
  reconciler: Reconciler;
  events: StripeEventProcessor;
  platform: PlatformInput;
  ownerPrivateKey: string;
  /** Queues email (SMTP or the outbox). */
  mailer: Mailer;
  /** Derives each tenant's credential for the tenant API (`stacks` `tenantPlatformToken`). */
  platformSecret: string;
  /** Whether the queue and database answer (readiness). */
  ready(): Promise<{ database: boolean; queue: boolean }>;
}

export function specFor(services: Services, tenant: Tenant): TenantSpec {
  return tenantSpec(
    {
      slug: tenant.slug,
      tier: tenant.tier,
      desired: tenant.desired === "deleted" ? "suspended" : tenant.desired,
      generation: tenant.generation,
      ownerEmail: tenant.email,
    },
    services.platform,
  );
}

export function tenantUrl(services: Services, slug: string): string {
  const { scheme, baseDomain, publicPort } = services.platform;
  const defaultPort = scheme === "https" ? 443 : 80;
  return `${scheme}://${slug}.${baseDomain}${publicPort && publicPort !== defaultPort ? `:${publicPort}` : ""}`;
}

/** A one-time sign-in link to the tenant's builder (DESIGN §6). */
export function ownerLink(services: Services, tenant: Tenant): { url: string; expiresAt: string } {
  const { token, claims } = signOwnerToken(services.ownerPrivateKey, {
    slug: tenant.slug,
    email: tenant.email,
  });
  return {
    url: `${tenantUrl(services, tenant.slug)}/auth/callback?token=${encodeURIComponent(token)}`,
    expiresAt: new Date(claims.exp * 1000).toISOString(),
  };
}

export async function audit(
  services: Pick<Services, "db" | "logger">,
  actor: string,
  action: string,
  slug: string | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  if (slug) bindTenant(slug);
  await services.db.insert(auditLog).values({ actor, action, slug, details });
  services.logger.info({ audit: action, actor, tenant: slug ?? undefined }, "audit");
}

/**
 * Runs a stack operation that is not a reconcile (preview, refresh, cancel) in the background,
 * recorded as an operation with its log; returns the operation id at once.
 */
export async function runStackOperation(
  services: Services,
  slug: string,
  kind: Exclude<OperationKind, "reconcile">,
  work: (ctx: OperationContext) => Promise<unknown>,
): Promise<string> {
  const { id } = await services.operations.create({ slug, kind, reason: `admin ${kind}` });
  const options = {
    operations: services.operations,
    instance: services.reconciler.instanceKey,
    signal: AbortSignal.timeout(15 * 60_000),
  };
  runOperation(id, options, (run) => work(run.context)).catch((error) =>
    services.logger.error({ err: error, operation: id }, "stack operation bookkeeping failed"),
  );
  return id;
}
