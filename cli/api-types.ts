import type { z } from "@hono/zod-openapi";
import type { OperationSchema, TenantSchema } from "../control-plane/api/admin/schemas.ts";

/** The admin API's shapes as the CLI reads them (DESIGN §7): types only, from the server's own schemas. */

export interface ApiError {
  code: string;
  message: string;
}

export type Operation = z.infer<typeof OperationSchema>;
export type LogLine = NonNullable<Operation["log"]>[number];
export type OperationStatus = Operation["status"];
export type Tenant = z.infer<typeof TenantSchema>;

export interface TenantPage {
  tenants: Tenant[];
  nextCursor: string | null;
  total: number;
}

/** What every command that changes a tenant answers: the tenant now, and the operation that makes it so. */
export interface TenantChange {
  tenant: Tenant;
  operationId: string;
}

export interface OwnerLink {
  url: string;
  expiresAt: string;
}

export const FINISHED: ReadonlySet<OperationStatus> = new Set(["succeeded", "failed", "interrupted"]);
