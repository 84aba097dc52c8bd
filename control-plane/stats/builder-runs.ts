import { eq, sql } from "drizzle-orm";
import { TIER_NAMES, type TierName } from "../../tenant-template/index.ts";
import type { Database, Sql } from "../db/client.ts";
import { builderRuns } from "../db/schema.ts";

/** A finished run as its builder reports it (`POST /api/tenant/runs`). */
export interface BuilderRunReport {
  runId: string;
  status: "completed" | "stopped" | "failed";
  promptTokens: number;
  completionTokens: number;
  finishedAt: string;
}

/**
 * Records a tenant's finished run; false when that run was already reported (it counts once). With `ceiling`
 * (what the platform's model proxy counted for the tenant, when runtimes reach the model through it), the
 * run's tokens are cut to what the proxy counted and earlier reports have not already claimed: a builder
 * cannot report more than it spent.
 */
export async function recordBuilderRun(
  db: Database,
  slug: string,
  report: BuilderRunReport,
  ceiling?: () => Promise<{ promptTokens: number; completionTokens: number }>,
): Promise<boolean> {
  return await db.transaction(async (tx) => {
    // One report per tenant at a time: two at once could both claim the same counted tokens.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`builder-runs:${slug}`}))`);
    let { promptTokens, completionTokens } = report;
    if (ceiling) {
      const counted = await ceiling();
      const [claimed] = await tx
        .select({
          promptTokens: sql<string>`coalesce(sum(${builderRuns.promptTokens}), 0)`,
          completionTokens: sql<string>`coalesce(sum(${builderRuns.completionTokens}), 0)`,
        })
        .from(builderRuns)
        .where(eq(builderRuns.slug, slug));
      promptTokens = Math.min(
        promptTokens,
        Math.max(0, counted.promptTokens - Number(claimed?.promptTokens ?? 0)),
      );
      completionTokens = Math.min(
        completionTokens,
        Math.max(0, counted.completionTokens - Number(claimed?.completionTokens ?? 0)),
      );
    }
    const inserted = await tx
      .insert(builderRuns)
      .values({ slug, ...report, promptTokens, completionTokens, finishedAt: new Date(report.finishedAt) })
      .onConflictDoNothing()
      .returning({ runId: builderRuns.runId });
    return inserted.length > 0;
  });
}

/**
 * Runs and model tokens per tier over [since, until), by when the runs finished, from what the builders
 * reported: the platform never reads a tenant's own tables. Deleted tenants no longer count.
 */
export async function builderUsage(
  sql: Sql,
  since: Date,
  until: Date,
): Promise<Record<TierName, { runs: number; tokens: number }>> {
  const usage = Object.fromEntries(TIER_NAMES.map((t) => [t, { runs: 0, tokens: 0 }])) as Record<
    TierName,
    { runs: number; tokens: number }
  >;
  // Summed as bigint (each run's figures are int4): a tenant's reports cannot overflow the figures.
  const rows = await sql<Array<{ tier: TierName; runs: number; tokens: string }>>`
    select t.tier, count(*)::int as runs, coalesce(sum(r.prompt_tokens::bigint + r.completion_tokens::bigint), 0)::text as tokens
    from control_plane.builder_runs r join control_plane.tenants t on t.slug = r.slug
    where t.status <> 'deleted' and not t."check"
      and r.finished_at >= ${since.toISOString()}::timestamptz and r.finished_at < ${until.toISOString()}::timestamptz
    group by t.tier`;
  for (const row of rows) usage[row.tier] = { runs: row.runs, tokens: Number(row.tokens) };
  return usage;
}
