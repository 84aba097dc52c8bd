import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { auditLog } from "../db/schema.ts";

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  slug: string | null;
  details: unknown;
}

/** The audit log, newest first, optionally for one tenant or one action. */
export async function listAudit(
  db: Database,
  filter: { slug?: string; action?: string; limit: number },
): Promise<AuditEntry[]> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        filter.slug ? eq(auditLog.slug, filter.slug) : undefined,
        filter.action ? eq(auditLog.action, filter.action) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(filter.limit);
  return rows.map((row) => ({ ...row, at: row.at.toISOString(), details: row.details ?? null }));
}
