import type { Plan, PlanItem } from "../agents/schemas.ts";
import type { Spec } from "../agents/spec.ts";
import type { RunPolicy } from "./compile.ts";

export interface ScopedPlan {
  plan: Plan;
  /** The agents' ideas the policy did not let them build: offered to the owner as suggestions. */
  suggestions: PlanItem[];
}

/**
 * Scope authority, enforced here rather than trusted to the model: every section the owner asked for
 * is built; sections of the agents' own only up to the policy's allowance; the rest become suggestions.
 */
export function applyScope(plan: Plan, spec: Spec, policy: RunPolicy): ScopedPlan {
  const asked = new Set(spec.sections);
  const requested = spec.sections.map(
    (id) =>
      plan.sections.find((s) => s.id === id) ?? {
        id,
        title: titleFor(plan, id),
        purpose: "",
        requested: true,
      },
  );
  const own = plan.sections.filter((s) => !asked.has(s.id));
  const allowed = own.slice(0, policy.maxOwnSections);
  const overflow = own.slice(policy.maxOwnSections).map(({ id, title, purpose }) => ({ id, title, purpose }));
  const built = new Set([...requested, ...allowed].map((s) => s.id));
  const suggestions = [...overflow, ...plan.ideas].filter(
    (idea, i, all) => !built.has(idea.id) && all.findIndex((other) => other.id === idea.id) === i,
  );
  return {
    plan: {
      ...plan,
      sections: [
        ...requested.map((s) => ({ ...s, requested: true })),
        ...allowed.map((s) => ({ ...s, requested: false })),
      ],
      ideas: suggestions,
      questions: policy.askQuestions ? plan.questions : [],
    },
    suggestions,
  };
}

function titleFor(plan: Plan, id: string): string {
  return (
    plan.ideas.find((i) => i.id === id)?.title ?? id.replace(/-/g, " ").replace(/^./, (c) => c.toUpperCase())
  );
}
