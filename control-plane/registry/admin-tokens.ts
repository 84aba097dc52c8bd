import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { adminTokens } from "../db/schema.ts";

export type AdminToken = typeof adminTokens.$inferSelect;

export interface AdminTokenView {
  id: string;
  name: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Admin tokens carry a prefix so secret scanners (and our log redaction) recognise them. */
export const ADMIN_TOKEN_PREFIX = "wsa_";

export function hashAdminToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function adminTokenView(row: AdminToken): AdminTokenView {
  return {
    id: row.id,
    name: row.name,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** Creates a token; the plain value is returned here once and never stored. */
export async function createAdminToken(
  db: Database,
  input: { name: string; createdBy: string },
): Promise<{ token: string; row: AdminToken }> {
  const token = `${ADMIN_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const [row] = await db
    .insert(adminTokens)
    .values({ name: input.name, createdBy: input.createdBy, tokenHash: hashAdminToken(token) })
    .returning();
  return { token, row: row! };
}

/** The live (not revoked) token with this value, its last use recorded at most once a minute. */
export async function findLiveAdminToken(db: Database, token: string): Promise<AdminToken | null> {
  const [row] = await db
    .select()
    .from(adminTokens)
    .where(and(eq(adminTokens.tokenHash, hashAdminToken(token)), isNull(adminTokens.revokedAt)));
  if (!row) return null;
  await db
    .update(adminTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(adminTokens.id, row.id),
        or(isNull(adminTokens.lastUsedAt), lt(adminTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
      ),
    );
  return row;
}

export async function listAdminTokens(db: Database): Promise<AdminToken[]> {
  return await db.select().from(adminTokens).orderBy(asc(adminTokens.createdAt));
}

/** Revokes a token (a second revoke changes nothing); null when there is no such token. */
export async function revokeAdminToken(db: Database, id: string): Promise<AdminToken | null> {
  const [revoked] = await db
    .update(adminTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(adminTokens.id, id), isNull(adminTokens.revokedAt)))
    .returning();
  if (revoked) return revoked;
  const [existing] = await db.select().from(adminTokens).where(eq(adminTokens.id, id));
  return existing ?? null;
}
