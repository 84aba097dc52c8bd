import { createHash } from "node:crypto";
import { builderPrompt, designerPrompt, plannerPrompt, reviewerPrompt } from "../agents/prompts.ts";
import { buildSchema, designSchema, type PlanItem, planSchema, reviewSchema } from "../agents/schemas.ts";
import { renderSite, type SiteFiles } from "../agents/site.ts";
import { checkSite } from "../agents/site-checks.ts";
import type { Workflow } from "../agents/workflow.ts";
import { type AgentName, type LlmClient, type LlmUsage, withContext } from "../llm/index.ts";
import { applyScope, type RunPolicy } from "../policy/index.ts";

export interface StepInput {
  workflow: Workflow;
  policy: RunPolicy;
  seed: number;
  files: SiteFiles;
  llm: LlmClient;
  signal: AbortSignal;
  onDelta: (agent: AgentName, text: string) => void;
}

export interface StepOutcome {
  agent: AgentName;
  workflow: Workflow;
  /** New files, when the step changed them. */
  files?: SiteFiles;
  usage: LlmUsage;
  model: string;
  summary: string;
  fingerprint: string;
  /** Questions to put to the owner before going on. */
  questions: string[];
  suggestions: PlanItem[];
}

const fingerprintOf = (agent: string, value: unknown) =>
  createHash("sha256")
    .update(`${agent}:${JSON.stringify(value)}`)
    .digest("hex")
    .slice(0, 16);

/** Runs the agent of the workflow's current stage and computes the next workflow state. */
export async function runAgentStep(input: StepInput): Promise<StepOutcome> {
  const { workflow: wf, policy, llm, signal, seed } = input;
  const call = <T>(
    agent: AgentName,
    system: string,
    context: unknown,
    schema: import("zod").ZodType<T>,
    schemaName: string,
  ) =>
    llm.complete({
      agent,
      system,
      user: withContext(`Do your part for this site. Answer with JSON matching ${schemaName}.`, context),
      schema,
      schemaName,
      temperature: policy.temperature,
      seed,
      signal,
      onDelta: (text) => input.onDelta(agent, text),
    });
  const base = { questions: [] as string[], suggestions: [] as PlanItem[] };

  switch (wf.stage) {
    case "plan": {
      const context = {
        spec: wf.spec,
        previousPlan: wf.previousPlan,
        answers: wf.answers,
        feedback: wf.planFeedback,
        creativity: policy.creativity,
      };
      const result = await call("planner", plannerPrompt(policy), context, planSchema, "plan");
      const scoped = applyScope(result.value, wf.spec, policy);
      const kept = new Set(scoped.plan.sections.map((s) => s.id));
      const superseded = (wf.previousPlan?.sections ?? []).filter((s) => !kept.has(s.id));
      // At low autonomy nothing is built on the agents' own say: with nothing asked for, ask.
      const questions = [...scoped.plan.questions];
      if (policy.askQuestions && scoped.plan.sections.length === 0 && questions.length === 0) {
        questions.push("Which sections should the page have (for example about, services, contact)?");
      }
      return {
        ...base,
        agent: "planner",
        workflow: {
          ...wf,
          plan: scoped.plan,
          superseded: [...wf.superseded, ...superseded],
          planFeedback: undefined,
          stage: "approve",
        },
        usage: result.usage,
        model: result.model,
        summary: `Plan for ${scoped.plan.siteName}: ${scoped.plan.sections.map((s) => s.title).join(", ") || "no sections yet"}.`,
        fingerprint: fingerprintOf("planner", scoped.plan),
        questions,
        suggestions: scoped.suggestions,
      };
    }
    case "design": {
      const context = {
        plan: wf.plan,
        latitude: policy.designLatitude,
        directions: policy.designDirections,
        creativity: policy.creativity,
      };
      const result = await call("designer", designerPrompt(policy), context, designSchema, "design");
      const design = {
        ...result.value,
        chosen: Math.min(result.value.chosen, result.value.directions.length - 1),
      };
      const chosen = design.directions[design.chosen]!;
      return {
        ...base,
        agent: "designer",
        workflow: { ...wf, design, stage: "build" },
        usage: result.usage,
        model: result.model,
        summary: `Design: explored ${design.directions.length} direction(s), chose “${chosen.name}” (${chosen.layout} layout).`,
        fingerprint: fingerprintOf("designer", design),
      };
    }
    case "build": {
      const repair = wf.review && !wf.review.passed ? wf.review.issues : [];
      const context = { plan: wf.plan, design: wf.design, creativity: policy.creativity, repair };
      const result = await call("builder", builderPrompt(policy), context, buildSchema, "build");
      const files = renderSite(wf.plan!, wf.design!.directions[wf.design!.chosen]!, result.value);
      return {
        ...base,
        agent: "builder",
        workflow: { ...wf, build: result.value, stage: "review" },
        files,
        usage: result.usage,
        model: result.model,
        summary: `${repair.length ? "Repaired" : "Built"} ${wf.plan!.sections.length} section(s).`,
        fingerprint: fingerprintOf("builder", result.value),
      };
    }
    case "review": {
      const plannedIds = wf.plan!.sections.map((s) => s.id);
      const context = { files: input.files, plannedIds, rubric: policy.reviewerRubric };
      const result = await call("reviewer", reviewerPrompt(policy), context, reviewSchema, "review");
      // Problems found in the files themselves count whatever the model concluded.
      const issues = [...checkSite(input.files, plannedIds), ...result.value.issues];
      const review = { ...result.value, issues, passed: issues.length === 0 && result.value.passed };
      const repair = !review.passed && wf.repairs < policy.selfRepairAttempts;
      return {
        ...base,
        agent: "reviewer",
        workflow: { ...wf, review, stage: repair ? "build" : "done", repairs: wf.repairs + (repair ? 1 : 0) },
        usage: result.usage,
        model: result.model,
        summary: review.passed
          ? `Review passed (${review.score}/10).`
          : `Review found ${issues.length} issue(s)${repair ? "; repairing" : ""}: ${issues.map((i) => i.problem).join("; ")}.`,
        fingerprint: fingerprintOf("reviewer", review),
      };
    }
    default:
      throw new Error(`no agent for stage ${wf.stage}`);
  }
}
