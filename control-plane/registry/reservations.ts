import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, count, eq, gt, isNull, lte, ne, sql } from "drizzle-orm";
import { slugProblem, type TierName } from "../../tenant-template/index.ts";
import type { Database } from "../db/client.ts";
import { localCheckouts, tenants } from "../db/schema.ts";
import { RegistryError } from "./errors.ts";
import { insertTenant } from "./new-tenant.ts";
import { findTenant, reservationLapsed, type Tenant } from "./tenants.ts";

/** How long an unpaid signup holds its slug (and its checkout can be paid), unless configured shorter. */
export const RESERVATION_HOURS = 24;
/** Open (unpaid, unexpired) reservations one email address, or one client, may hold at once. */
export const MAX_RESERVATIONS_PER_EMAIL = 3;
export const MAX_RESERVATIONS_PER_CLIENT = 5;

export function newWelcomeKey(): { key: string; hash: string } {
  const key = randomBytes(24).toString("base64url");
  return { key, hash: hashKey(key) };
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** The key of this tenant's current checkout, not expired. Compared in constant time. */
export function welcomeKeyMatches(tenant: Tenant, key: string | undefined, now = Date.now()): boolean {
  if (!key || !tenant.welcomeKeyHash) return false;
  if (!tenant.welcomeKeyExpiresAt || tenant.welcomeKeyExpiresAt.getTime() <= now) return false;
  const given = Buffer.from(hashKey(key), "hex");
  const stored = Buffer.from(tenant.welcomeKeyHash, "hex");
  return given.length === stored.length && timingSafeEqual(given, stored);
}

export interface ReservationInput {
  slug: string;
  email: string;
  tier: TierName;
  /** The new checkout's welcome key (its hash is stored). */
  welcomeKeyHash: string;
  /** The key of an earlier signup for this slug, when its holder starts over. */
  holderKey?: string;
  /** The client address that asked (for the per-client cap). */
  client: string;
  /** How long the reservation holds (WEBSPLAT_RESERVATION_HOURS). */
  holdMs: number;
  /** A journey check's purchase (the operator's signup): kept out of the KPIs. @default false */
  check?: boolean;
}

/**
 * Reserves `slug` for a signup about to pay. A live reservation is renewed only by its holder (who proves it
 * with the key it was given); anyone else gets 409 until it lapses. A renewal keeps the original expiry, so a
 * slug cannot be held forever without paying. Every reservation gets a fresh key; the old one stops working.
 */
export async function reserveSlug(db: Database, input: ReservationInput): Promise<Tenant> {
  // Shape first: nothing malformed (a NUL, say) reaches the database.
  const problem = slugProblem(input.slug);
  if (problem) throw new RegistryError(`slug_${problem.code}`, problem.message);
  const email = input.email.toLowerCase();
  return await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`tenant:${input.slug}`}))`);
    const existing = await findTenant(tx, input.slug, { lock: true });
    const now = new Date();
    let reservedUntil = new Date(now.getTime() + input.holdMs);
    if (existing) {
      if (existing.status !== "awaiting_payment") throw taken(input.slug);
      if (!reservationLapsed(existing, now.getTime())) {
        if (!welcomeKeyMatches(existing, input.holderKey, now.getTime())) throw reserved(input.slug);
        reservedUntil = existing.reservedUntil!;
      }
    }
    await enforceCaps(tx as unknown as Database, input.slug, email, input.client, now);
    const values = {
      email: input.email,
      tier: input.tier,
      welcomeKeyHash: input.welcomeKeyHash,
      welcomeKeyExpiresAt: reservedUntil,
      welcomeLinkIssuedAt: null,
      checkoutSessionId: null,
      reservedUntil,
      reservedByEmail: email,
      reservedByClient: input.client,
      check: input.check ?? false,
    };
    if (existing) {
      // A lapsed or renewed reservation: its old checkout can no longer pay (see checkoutRefusal).
      const [row] = await tx
        .update(tenants)
        .set({ ...values, updatedAt: now })
        .where(and(eq(tenants.slug, input.slug), eq(tenants.status, "awaiting_payment")))
        .returning();
      if (!row) throw taken(input.slug);
      return row;
    }
    const row = await insertTenant(tx, { ...values, slug: input.slug, source: "signup" });
    if (!row) throw taken(input.slug);
    return row;
  });
}

async function enforceCaps(db: Database, slug: string, email: string, client: string, now: Date) {
  const open = (column: typeof tenants.reservedByEmail | typeof tenants.reservedByClient, value: string) =>
    db
      .select({ n: count() })
      .from(tenants)
      .where(
        and(
          eq(tenants.status, "awaiting_payment"),
          gt(tenants.reservedUntil, now),
          ne(tenants.slug, slug),
          eq(column, value),
        ),
      );
  const [byEmail] = await open(tenants.reservedByEmail, email);
  if ((byEmail?.n ?? 0) >= MAX_RESERVATIONS_PER_EMAIL) {
    throw new RegistryError(
      "too_many_reservations",
      `This email already has ${MAX_RESERVATIONS_PER_EMAIL} unpaid signups waiting. Finish or abandon one of them first (each expires unpaid a day after it was made, or sooner).`,
    );
  }
  const [byClient] = await open(tenants.reservedByClient, client);
  if ((byClient?.n ?? 0) >= MAX_RESERVATIONS_PER_CLIENT) {
    throw new RegistryError(
      "too_many_reservations",
      `Too many unpaid signups from your network (${MAX_RESERVATIONS_PER_CLIENT}). Finish one of them, or try again once they expire.`,
    );
  }
}

/** Records which checkout may pay for the reservation made with `welcomeKeyHash` (unless renewed since). */
export async function attachCheckout(
  db: Database,
  slug: string,
  welcomeKeyHash: string,
  checkoutSessionId: string,
): Promise<void> {
  await db
    .update(tenants)
    .set({ checkoutSessionId })
    .where(
      and(
        eq(tenants.slug, slug),
        eq(tenants.welcomeKeyHash, welcomeKeyHash),
        eq(tenants.status, "awaiting_payment"),
      ),
    );
}

/**
 * Why a checkout session may not pay for `tenant`, or null when it may: a signup's reservation names its one
 * checkout, and any other (an older one, superseded by a renewal or by someone else's signup after it lapsed)
 * is refused, so a payment never hands the tenant to the wrong person.
 */
export function checkoutRefusal(tenant: Tenant, sessionId: string | null): string | null {
  if (tenant.source !== "signup" || !tenant.checkoutSessionId) return null;
  if (sessionId === tenant.checkoutSessionId) return null;
  return "superseded checkout (the reservation now belongs to a newer signup)";
}

/** Spends the welcome key's one sign-in link; false when it was spent already. */
export async function takeWelcomeLink(db: Database, slug: string): Promise<boolean> {
  const rows = await db
    .update(tenants)
    .set({ welcomeLinkIssuedAt: new Date() })
    .where(and(eq(tenants.slug, slug), isNull(tenants.welcomeLinkIssuedAt)))
    .returning({ slug: tenants.slug });
  return rows.length === 1;
}

/** Deletes reservations that lapsed unpaid (and their checkouts): the slug is free again, nothing is kept. */
export async function purgeLapsedReservations(db: Database, now = new Date()): Promise<string[]> {
  return await db.transaction(async (tx) => {
    const rows = await tx
      .delete(tenants)
      .where(and(eq(tenants.status, "awaiting_payment"), lte(tenants.reservedUntil, now)))
      .returning({ slug: tenants.slug });
    const slugs = rows.map((row) => row.slug);
    await tx
      .delete(localCheckouts)
      .where(and(isNull(localCheckouts.completedAt), lte(localCheckouts.expiresAt, now)));
    return slugs;
  });
}

/** Runs the purge every `everyMs` (and once soon after start); returns the stop function. */
export function scheduleReservationSweep(
  deps: { db: Database; onError: (error: unknown) => void; onPurged?: (slugs: string[]) => void },
  everyMs: number,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = purgeLapsedReservations(deps.db)
      .then((slugs) => {
        if (slugs.length > 0) deps.onPurged?.(slugs);
      })
      .catch(deps.onError);
  };
  const first = setTimeout(sweep, Math.min(everyMs, 5_000));
  const timer = setInterval(sweep, everyMs);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}

function taken(slug: string) {
  return new RegistryError(
    "slug_taken",
    `"${slug}" is already taken. Try another name, such as "${slug.slice(0, 28)}-site".`,
  );
}

function reserved(slug: string) {
  return new RegistryError(
    "slug_taken",
    `"${slug}" is reserved by a signup that is being paid. Try another name, such as "${slug.slice(0, 28)}-site". If it is your own signup, continue it from the browser you started it in.`,
  );
}
