/** The admin API's shapes as the CLI reads them (DESIGN §7); the server is the source of truth. */

export interface ApiError {
  code: string;
  message: string;
}

export interface LogLine {
  seq: number;
  at: string;
  level: "info" | "warn" | "error";
  step?: string;
  message: string;
}

export type OperationStatus = "queued" | "running" | "succeeded" | "failed" | "interrupted";

export interface Operation {
  id: string;
  slug: string;
  kind: string;
  status: OperationStatus;
  generation: number;
  attempt: number;
  error: ApiError | null;
  result: unknown;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  log?: LogLine[];
}

export interface Tenant {
  slug: string;
  email: string;
  tier: string;
  status: string;
  desired: string;
  generation: number;
  observedGeneration: number;
  grace: boolean;
  lastError: ApiError | null;
  url: string | null;
  outputs: unknown;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
  createdAt: string;
  updatedAt: string;
  deleteAfter: string | null;
}

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
