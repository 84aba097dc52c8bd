import type { Build, Design, Plan, PlanItem, Review } from "./schemas.ts";
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
}
