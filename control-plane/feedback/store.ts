import { and, desc, eq, gte } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { feedback } from "../db/schema.ts";

export interface FeedbackInput {
  message: string;
  mayContact: boolean;
  page?: string | null;
}

export interface FeedbackEntry {
  id: number;
  slug: string;
  at: string;
  message: string;
  mayContact: boolean;
  /** The tenant's owner email, only when they agreed to be contacted. */
  contact: string | null;
  page: string | null;
}

export async function recordFeedback(db: Database, slug: string, input: FeedbackInput): Promise<number> {
  const [row] = await db
    .insert(feedback)
    .values({ slug, message: input.message, mayContact: input.mayContact, page: input.page ?? null })
    .returning({ id: feedback.id });
  return row!.id;
}

/** Deletes what the tenant's owner sent (erasure); answers how many entries went. */
export async function eraseFeedback(db: Database, slug: string): Promise<number> {
  return (await db.delete(feedback).where(eq(feedback.slug, slug)).returning({ id: feedback.id })).length;
}

export async function listFeedback(
  db: Database,
  options: { slug?: string; since?: Date; limit: number },
): Promise<Array<Omit<FeedbackEntry, "contact">>> {
  const rows = await db
    .select()
    .from(feedback)
    .where(
      and(
        options.slug ? eq(feedback.slug, options.slug) : undefined,
        options.since ? gte(feedback.at, options.since) : undefined,
      ),
    )
    .orderBy(desc(feedback.id))
    .limit(options.limit);
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}
