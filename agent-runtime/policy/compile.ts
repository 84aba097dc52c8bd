import type { Tier } from "../config.ts";

/** What a run may do, compiled once from the sliders and the tier and stored on the run. */
export interface RunPolicy {
  autonomy: number;
  creativity: number;
  tier: Tier;
  /** How many sections of the agents' own may be built; the rest of their ideas become suggestions. */
  maxOwnSections: number;
  requirePlanApproval: boolean;
  /** Whether the planner's clarifying questions are put to the owner (else it decides itself). */
  askQuestions: boolean;
  /** Steps before the run pauses to ask for more (it is never killed). */
  maxSteps: number;
  /** Model tokens one run may spend before it pauses. */
  tokenBudget: number;
  selfRepairAttempts: number;
  /** 0 = the owner's words only … 4 = free invention. */
  copyInvention: number;
  designLatitude: {
    palette: "neutral" | "subject" | "free";
    layout: "single" | "varied" | "free";
    typography: "system" | "paired" | "expressive";
  };
  designDirections: number;
  temperature: number;
  reviewerRubric: string[];
  /** Identical actions in a row before the loop detector pauses the run. */
  loopThreshold: number;
}

const tokenBudgets: Record<Tier, number> = { starter: 60_000, pro: 150_000, studio: 400_000 };

const pick = <T>(values: readonly T[], level: number): T =>
  values[Math.max(0, Math.min(values.length - 1, level))]!;

export function compilePolicy(input: { autonomy: number; creativity: number; tier: Tier }): RunPolicy {
  const { autonomy, creativity, tier } = input;
  const rubric = [
    "every planned section is present and none other",
    "headings and landmarks are meaningful; images have alt text",
    "the page works on narrow screens",
  ];
  if (creativity <= 1) rubric.push("copy stays with the owner's words and facts; nothing invented");
  if (creativity >= 3) rubric.push("the voice is distinctive and the design has a clear point of view");
  return {
    autonomy,
    creativity,
    tier,
    maxOwnSections: pick([0, 0, 1, 3, 6], autonomy),
    requirePlanApproval: autonomy <= 1,
    askQuestions: autonomy <= 3,
    maxSteps: pick([12, 14, 16, 20, 24], autonomy),
    tokenBudget: tokenBudgets[tier],
    selfRepairAttempts: pick([0, 1, 1, 2, 3], autonomy),
    copyInvention: creativity,
    designLatitude: {
      palette: pick(["neutral", "subject", "subject", "free", "free"] as const, creativity),
      layout: pick(["single", "single", "varied", "varied", "free"] as const, creativity),
      typography: pick(["system", "system", "paired", "expressive", "expressive"] as const, creativity),
    },
    designDirections: pick([1, 1, 2, 2, 3], creativity),
    temperature: 0.2 + creativity * 0.2,
    reviewerRubric: rubric,
    loopThreshold: 3,
  };
}
