/** The named levels shown beside the two sliders; the explanation is the one line the UI shows. */
export interface Level {
  level: number;
  name: string;
  explanation: string;
}

export const autonomyLevels: readonly Level[] = [
  {
    level: 0,
    name: "Ask first",
    explanation: "Builds only what you asked for, asks when unsure, and waits for you to approve the plan.",
  },
  {
    level: 1,
    name: "Careful",
    explanation:
      "Builds what you asked, asks about real ambiguity, waits for plan approval; its ideas become suggestions.",
  },
  {
    level: 2,
    name: "Balanced",
    explanation:
      "Builds what you asked plus one obvious addition, without waiting for approval; other ideas are suggestions.",
  },
  {
    level: 3,
    name: "Proactive",
    explanation:
      "Fills gaps with a few sections of its own and fixes what its review finds; asks only when it must.",
  },
  {
    level: 4,
    name: "Autopilot",
    explanation: "Plans, adds and refines on its own from a vague goal, and never stops to ask.",
  },
];

export const creativityLevels: readonly Level[] = [
  {
    level: 0,
    name: "Literal",
    explanation: "Your words and facts only, a calm neutral design, one direction.",
  },
  { level: 1, name: "Restrained", explanation: "Light copy polish and a palette drawn from your subject." },
  {
    level: 2,
    name: "Balanced",
    explanation: "Writes supporting copy, tries two design directions, varied layouts.",
  },
  {
    level: 3,
    name: "Expressive",
    explanation: "Invents taglines and voice, bolder palettes and type pairings.",
  },
  {
    level: 4,
    name: "Bold",
    explanation: "Free copy and striking design: explores three directions and picks the strongest.",
  },
];
