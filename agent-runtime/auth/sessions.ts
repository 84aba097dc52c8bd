import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import type { Database } from "../db/index.ts";
import { ownerSessions, signInTokens } from "../db/schema.ts";

export const SESSION_COOKIE = "websplat_session";
export const SESSION_TTL_SECONDS = 7 * 24 * 3600;

const hash = (value: string) => createHash("sha256").update(value).digest("hex");

/** Records the token id; false when it was already used (the insert is the atomic check). */
export async function consumeSignInToken(db: Database, jti: string, email: string): Promise<boolean> {
  const inserted = await db
    .insert(signInTokens)
    .values({ jti, email })
    .onConflictDoNothing()
    .returning({ jti: signInTokens.jti });
  return inserted.length === 1;
}

export async function openSession(db: Database, email: string): Promise<string> {
  const value = randomBytes(32).toString("base64url");
  await db.insert(ownerSessions).values({
    idHash: hash(value),
    email,
    expiresAt: new Date(Date.now() + SESSION_TTL_SECONDS * 1000),
  });
  return value;
}

/**
 * The session behind a cookie value, if it is unexpired and belongs to the current owner email: changing
 * the owner's email (a new WEBSPLAT_OWNER_EMAIL, so a restarted runtime) revokes every earlier session.
 */
export async function findSession(
  db: Database,
  value: string,
  ownerEmail: string,
): Promise<{ email: string } | undefined> {
  const [row] = await db
    .select({ email: ownerSessions.email })
    .from(ownerSessions)
    .where(and(eq(ownerSessions.idHash, hash(value)), gt(ownerSessions.expiresAt, new Date())));
  return row && sameEmail(row.email, ownerEmail) ? row : undefined;
}

/** Sign-out: the cookie value stops working at once, wherever it was copied to. */
export async function closeSession(db: Database, value: string): Promise<void> {
  await db.delete(ownerSessions).where(eq(ownerSessions.idHash, hash(value)));
}

export function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
