import type { SiteModel } from "../agents/site-model.ts";
import type { Spec } from "../agents/spec.ts";
import type { Workflow } from "../agents/workflow.ts";
import { RuntimeError } from "../http/errors.ts";
import type { RunPolicy } from "../policy/index.ts";

export interface StartRunInput {
  prompt: string;
  autonomy: number;
  creativity: number;
  seed?: number;
  /** The section the owner selected in the preview: the run is about it. */
  sectionId?: string | null;
}

/** A selection names a section of the current site, or it is refused with a message that says why. */
function selectedSection(site: SiteModel, sectionId: string | null | undefined): string | null {
  if (!sectionId) return null;
  if (!site.sections.some((s) => s.id === sectionId)) {
    throw new RuntimeError(
      "section_not_found",
      `The site has no section “${sectionId}” any more; click a section in the preview again.`,
      422,
    );
  }
  return sectionId;
}

/** Where a new run starts: planning, from the head's site and design, with the policy's allowances. */
export function newRunWorkflow(
  previous: Partial<Workflow>,
  spec: Spec,
  input: StartRunInput,
  policy: RunPolicy,
): Workflow {
  return {
    stage: "plan",
    spec,
    previousPlan: previous.plan,
    design: previous.design,
    site: previous.site,
    baseSite: previous.site,
    request: {
      prompts: [input.prompt],
      selection: previous.site ? selectedSection(previous.site, input.sectionId) : null,
    },
    superseded: [],
    answers: [],
    repairs: 0,
    stepsTaken: 0,
    stepAllowance: policy.maxSteps,
    tokenAllowance: policy.tokenBudget,
    recentActions: [],
  };
}
