import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { emailLinks } from "../db/schema.ts";

export type LinkPurpose = "sign_in" | "email_change";
export type EmailLink = typeof emailLinks.$inferSelect;

/** A sign-in link asked for on /signin lives 15 minutes; the welcome email's a day (it may be read later). */
export const SIGN_IN_LINK_SECONDS = 15 * 60;
export const WELCOME_LINK_SECONDS = 24 * 3600;
export const EMAIL_CHANGE_LINK_SECONDS = 24 * 3600;

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

/** Records a one-time link; the token itself is only ever in the email. */
export async function issueLink(
  db: Database,
  input: { purpose: LinkPurpose; email: string; slugs: string[]; ttlSeconds: number },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + input.ttlSeconds * 1000);
  await db.insert(emailLinks).values({
    tokenHash: hash(token),
    purpose: input.purpose,
    email: input.email,
    slugs: input.slugs,
    expiresAt,
  });
  // Links past their time are of no use to anyone: drop them as new ones are made.
  await db.delete(emailLinks).where(lt(emailLinks.expiresAt, new Date(Date.now() - 86_400_000)));
  return { token, expiresAt };
}

/** A link still usable, to show what it opens; undefined when unknown, used or expired. */
export async function usableLink(db: Database, token: string, purpose: LinkPurpose) {
  if (!isToken(token)) return undefined;
  const [row] = await db
    .select()
    .from(emailLinks)
    .where(
      and(
        eq(emailLinks.tokenHash, hash(token)),
        eq(emailLinks.purpose, purpose),
        isNull(emailLinks.usedAt),
        gt(emailLinks.expiresAt, new Date()),
      ),
    );
  return row;
}

/** Uses the link up; the update is the atomic check, so two clicks cannot both succeed. */
export async function redeemLink(db: Database, token: string, purpose: LinkPurpose) {
  if (!isToken(token)) return undefined;
  const [row] = await db
    .update(emailLinks)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(emailLinks.tokenHash, hash(token)),
        eq(emailLinks.purpose, purpose),
        isNull(emailLinks.usedAt),
        gt(emailLinks.expiresAt, new Date()),
      ),
    )
    .returning();
  return row;
}

function isToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{20,100}$/.test(value);
}
