import { and, eq } from "drizzle-orm";
import { slugProblem, type TierName } from "../../tenant-template/index.ts";
import type { Database } from "../db/client.ts";
import { type DesiredState, type TenantStatus, tenants } from "../db/schema.ts";
import { RegistryError } from "./errors.ts";

export type Tenant = typeof tenants.$inferSelect;
/** A transaction or the database itself. */
export type Executor = Pick<Database, "select" | "insert" | "update" | "execute">;

export interface TenantView {
  slug: string;
  email: string;
  tier: TierName;
  status: TenantStatus;
  desired: DesiredState;
  generation: number;
  observedGeneration: number;
  grace: boolean;
  lastError: { code: string; message: string } | null;
  url: string;
  outputs: Record<string, unknown> | null;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
  createdAt: string;
  updatedAt: string;
  deleteAfter: string | null;
  /** A journey check's tenant (`websplat check journey`). */
  check: boolean;
}

export function tenantView(tenant: Tenant, url: string): TenantView {
  return {
    slug: tenant.slug,
    email: tenant.email,
    tier: tenant.tier,
    status: tenant.status,
    desired: tenant.desired,
    generation: tenant.generation,
    observedGeneration: tenant.observedGeneration,
    grace: tenant.grace,
    lastError: tenant.lastError ?? null,
    url,
    outputs: tenant.outputs ?? null,
    stripeCustomerId: tenant.stripeCustomerId,
    stripeSubscriptionId: tenant.stripeSubscriptionId,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
    deleteAfter: tenant.deleteAfter?.toISOString() ?? null,
    check: tenant.check,
  };
}

export async function findTenant(
  db: Executor,
  slug: string,
  options: { lock?: boolean } = {},
): Promise<Tenant | null> {
  // Postgres text cannot hold a NUL: such a slug names no tenant (and must not reach the database).
  if (slug.includes("\0")) return null;
  const query = db.select().from(tenants).where(eq(tenants.slug, slug));
  const [row] = options.lock ? await query.for("update") : await query;
  return row ?? null;
}

export async function requireTenant(db: Executor, slug: string): Promise<Tenant> {
  const tenant = await findTenant(db, slug);
  if (!tenant)
    throw new RegistryError("not_found", `No tenant "${slug}". List tenants with \`websplat tenants list\`.`);
  return tenant;
}

export type Availability =
  | { slug: string; available: true }
  | {
      slug: string;
      available: false;
      code: "malformed" | "double_hyphen" | "reserved" | "taken";
      reason: string;
    };

/** Whether a new customer may take `slug`: shape rules first, then the registry (a slug is never reissued). */
export async function slugAvailability(db: Executor, slug: string): Promise<Availability> {
  const problem = slugProblem(slug);
  if (problem) return { slug, available: false, code: problem.code, reason: problem.message };
  const existing = await findTenant(db, slug);
  if (!existing || reservationLapsed(existing)) return { slug, available: true };
  return {
    slug,
    available: false,
    code: "taken",
    reason: `"${slug}" is already taken. Try another name, such as "${slug.slice(0, 28)}-site".`,
  };
}

/** An unpaid reservation stops holding its slug when it runs out; only its holder may renew it before. */
export function reservationLapsed(tenant: Tenant, now = Date.now()): boolean {
  if (tenant.status !== "awaiting_payment") return false;
  return (tenant.reservedUntil?.getTime() ?? 0) <= now;
}

/** After payment the welcome key lives this long: enough to watch the setup and take the one sign-in link. */
export const WELCOME_KEY_HOURS_AFTER_PAYMENT = 2;

function welcomeKeyExpiryAfterPayment(): Date {
  return new Date(Date.now() + WELCOME_KEY_HOURS_AFTER_PAYMENT * 3600_000);
}

export interface DesiredChange {
  desired?: DesiredState;
  tier?: TierName;
  email?: string;
  grace?: boolean;
  deleteAfter?: Date | null;
  status?: TenantStatus;
  stripeCustomerId?: string | null;
  stripeSubscriptionId?: string | null;
  subscriptionEventAt?: number;
  invoiceEventAt?: number;
}

/**
 * Applies a change of desired state; bumps `generation` when what should run changes (desired state or tier).
 * Returns the updated row and whether a reconcile is needed.
 */
export async function changeDesired(
  db: Executor,
  tenant: Tenant,
  change: DesiredChange,
): Promise<{ tenant: Tenant; reconcile: boolean }> {
  const desired = change.desired ?? tenant.desired;
  const tier = change.tier ?? tenant.tier;
  const bump = desired !== tenant.desired || tier !== tenant.tier || tenant.status === "awaiting_payment";
  const deleteAfterChanged =
    change.deleteAfter !== undefined && change.deleteAfter?.getTime() !== tenant.deleteAfter?.getTime();
  const paid = tenant.status === "awaiting_payment" && desired === "active" && change.status === undefined;
  const [row] = await db
    .update(tenants)
    .set({
      ...change,
      // Once paid, the welcome key only has to outlive the provisioning and the first sign-in link.
      ...(paid && tenant.welcomeKeyHash ? { welcomeKeyExpiresAt: welcomeKeyExpiryAfterPayment() } : {}),
      desired,
      tier,
      generation: bump ? tenant.generation + 1 : tenant.generation,
      status:
        change.status ??
        (tenant.status === "awaiting_payment" && desired === "active" ? "provisioning" : tenant.status),
      updatedAt: new Date(),
    })
    .where(and(eq(tenants.slug, tenant.slug)))
    .returning();
  return { tenant: row!, reconcile: bump || deleteAfterChanged };
}
