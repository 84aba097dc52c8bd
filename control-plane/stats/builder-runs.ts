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

/** Records a tenant's finished run; false when that run was already reported (it counts once). */
export async function recordBuilderRun(
  db: Database,
  slug: string,
  report: BuilderRunReport,
): Promise<boolean> {
  const inserted = await db
    .insert(builderRuns)
    .values({ slug, ...report, finishedAt: new Date(report.finishedAt) })
    .onConflictDoNothing()
    .returning({ runId: builderRuns.runId });
  return inserted.length > 0;
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
  const rows = await sql<Array<{ tier: TierName; runs: number; tokens: string }>>`
    select t.tier, count(*)::int as runs, coalesce(sum(r.prompt_tokens + r.completion_tokens), 0)::bigint as tokens
    from control_plane.builder_runs r join control_plane.tenants t on t.slug = r.slug
    where t.status <> 'deleted' and not t."check"
      and r.finished_at >= ${since.toISOString()}::timestamptz and r.finished_at < ${until.toISOString()}::timestamptz
    group by t.tier`;
  for (const row of rows) usage[row.tier] = { runs: row.runs, tokens: Number(row.tokens) };
  return usage;
}
