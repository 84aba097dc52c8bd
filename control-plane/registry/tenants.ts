import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { slugProblem, type TierName } from "../../tenant-template/index.ts";
import type { Database } from "../db/client.ts";
import { type DesiredState, type TenantStatus, tenants } from "../db/schema.ts";
import { ApiError } from "../http/errors.ts";

export type Tenant = typeof tenants.$inferSelect;
/** A transaction or the database itself. */
export type Executor = Pick<Database, "select" | "insert" | "update" | "execute">;

export const RESERVATION_HOURS = 24;

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
  };
}

export async function findTenant(
  db: Executor,
  slug: string,
  options: { lock?: boolean } = {},
): Promise<Tenant | null> {
  const query = db.select().from(tenants).where(eq(tenants.slug, slug));
  const [row] = options.lock ? await query.for("update") : await query;
  return row ?? null;
}

export async function requireTenant(db: Executor, slug: string): Promise<Tenant> {
  const tenant = await findTenant(db, slug);
  if (!tenant)
    throw new ApiError(404, "not_found", `No tenant "${slug}". List tenants with \`websplat tenants list\`.`);
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
export async function slugAvailability(db: Executor, slug: string, email?: string): Promise<Availability> {
  const problem = slugProblem(slug);
  if (problem) return { slug, available: false, code: problem.code, reason: problem.message };
  const existing = await findTenant(db, slug);
  if (!existing || reservationLapsed(existing, email)) return { slug, available: true };
  return {
    slug,
    available: false,
    code: "taken",
    reason: `"${slug}" is already taken. Try another name, such as "${slug.slice(0, 28)}-site".`,
  };
}

/** An unpaid reservation stops holding its slug after 24 hours, or at once for the same email (a retried signup). */
function reservationLapsed(tenant: Tenant, email?: string): boolean {
  if (tenant.status !== "awaiting_payment") return false;
  if (email && tenant.email.toLowerCase() === email.toLowerCase()) return true;
  return (tenant.reservedUntil?.getTime() ?? 0) < Date.now();
}

export function newWelcomeKey(): { key: string; hash: string } {
  const key = randomBytes(24).toString("base64url");
  return { key, hash: hashKey(key) };
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function welcomeKeyMatches(tenant: Tenant, key: string | undefined): boolean {
  if (!key || !tenant.welcomeKeyHash) return false;
  const given = Buffer.from(hashKey(key), "hex");
  const stored = Buffer.from(tenant.welcomeKeyHash, "hex");
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** Reserves `slug` for a signup that is about to pay (status awaiting_payment, 24 h). */
export async function reserveSlug(
  db: Database,
  input: { slug: string; email: string; tier: TierName; welcomeKeyHash: string },
): Promise<Tenant> {
  return await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`tenant:${input.slug}`}))`);
    const availability = await slugAvailability(tx, input.slug, input.email);
    if (!availability.available) {
      const status = availability.code === "taken" ? 409 : 400;
      throw new ApiError(status, `slug_${availability.code}`, availability.reason);
    }
    const reservedUntil = new Date(Date.now() + RESERVATION_HOURS * 3600_000);
    const [row] = await tx
      .insert(tenants)
      .values({
        slug: input.slug,
        email: input.email,
        tier: input.tier,
        desired: "active",
        generation: 0,
        status: "awaiting_payment",
        welcomeKeyHash: input.welcomeKeyHash,
        reservedUntil,
        source: "signup",
      })
      .onConflictDoUpdate({
        target: tenants.slug,
        set: {
          email: input.email,
          tier: input.tier,
          welcomeKeyHash: input.welcomeKeyHash,
          reservedUntil,
          updatedAt: new Date(),
        },
        where: eq(tenants.status, "awaiting_payment"),
      })
      .returning();
    if (!row) throw new ApiError(409, "slug_taken", `"${input.slug}" is already taken.`);
    return row;
  });
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
  const [row] = await db
    .update(tenants)
    .set({
      ...change,
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
