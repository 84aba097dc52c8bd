import type { FactEdits, Placement } from "./ledger/index.ts";
import type { Build, Change, Design, Plan, PlanItem, Review } from "./schemas.ts";
import type { SiteModel } from "./site-model.ts";
import type { Spec } from "./spec.ts";

export type Stage = "plan" | "approve" | "design" | "build" | "review" | "done";

/** A run's workflow state; saved with every checkpoint so a run can resume from any of them. */
export interface Workflow {
  stage: Stage;
  spec: Spec;
  plan?: Plan;
  previousPlan?: Plan;
  design?: Design;
  build?: Build;
  review?: Review;
  /** Plan items a later prompt made stale. */
  superseded: PlanItem[];
  answers: { question: string; answer: string }[];
  planFeedback?: string;
  repairs: number;
  stepsTaken: number;
  stepAllowance: number;
  tokenAllowance: number;
  /** Fingerprints of recent actions, for the loop detector. */
  recentActions: string[];
  /** The site as built so far; carried from run to run through the head checkpoint. */
  site?: SiteModel;
  /** The site when this run started: an edit is planned against it and checked against it. */
  baseSite?: SiteModel;
  /** This run's change to the base site, when it is an edit. */
  change?: Change;
  /** What this run's prompts change of the owner's facts (taken off, replaced, renamed). */
  factEdits?: FactEdits;
  /** Where each of the owner's facts is on the site after the last build, for the builder page. */
  placements?: Placement[];
  /** Sections the fact check wrote into (they may differ from the base site). */
  factsTouched?: string[];
  /** This run's own prompts (the first and any steering) and the section selected in the preview. */
  request?: { prompts: string[]; selection: string | null };
}
