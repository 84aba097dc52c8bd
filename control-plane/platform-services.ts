import type { Logger } from "pino";
import type { StackDriver } from "../stacks/index.ts";
import {
  type PlatformInput,
  type TenantSpec,
  tenantUrl as tenantAddress,
  tenantSpec,
} from "../tenant-template/index.ts";
import { signOwnerToken } from "./auth/owner-token.ts";
import type { StripeEventProcessor } from "./billing/webhook.ts";
import type { Config } from "./config.ts";
import type { Database, Sql } from "./db/client.ts";
import type { Mailer } from "./email/index.ts";
import type { Metrics } from "./metrics.ts";
import type { Reconciler } from "./reconciler/index.ts";
import type { OperationLog } from "./registry/operations.ts";
import type { Tenant } from "./registry/tenants.ts";

/** The platform's running parts, built once at start (`platform.ts`) and handed to every route. */
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
  /** Whether the queue and database answer (readiness); `queue` is null in a role that runs none. */
  ready(): Promise<{ database: boolean; queue: boolean | null }>;
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
  return tenantAddress(slug, services.platform);
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
