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

export async function findSession(db: Database, value: string): Promise<{ email: string } | undefined> {
  const [row] = await db
    .select({ email: ownerSessions.email })
    .from(ownerSessions)
    .where(and(eq(ownerSessions.idHash, hash(value)), gt(ownerSessions.expiresAt, new Date())));
  return row;
}
