import type { Review } from "../../agents/schemas.ts";
import type { SiteFiles } from "../../agents/site.ts";
import { checkSite } from "../../agents/site-checks.ts";

export interface ReviewerContext {
  files: SiteFiles;
  plannedIds: string[];
  rubric: string[];
}

/** Scores the page against the rubric; every found problem costs two points. */
export function offlineReview(context: ReviewerContext): Review {
  const issues = checkSite(context.files, context.plannedIds);
  const score = Math.max(0, 10 - issues.length * 2);
  return { score, passed: issues.length === 0, issues };
}
