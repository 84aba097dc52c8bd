import { createHash } from "node:crypto";
import { applyEdit, changedUntouched, sectionsToWrite } from "../agents/apply-edit.ts";
import { describeDiff, diffFiles } from "../agents/diff.ts";
import { readEdits } from "../agents/edit.ts";
import {
  applyLedger,
  describePlacements,
  hasFactEdits,
  mergeEdits,
  readLedger,
} from "../agents/ledger/index.ts";
import {
  builderEditPrompt,
  builderPrompt,
  designerPrompt,
  editPlannerPrompt,
  plannerPrompt,
  reviewerPrompt,
} from "../agents/prompts.ts";
import {
  type Build,
  buildSchema,
  designSchema,
  type EditPlan,
  editPlanSchema,
  type PlanItem,
  planSchema,
  reviewSchema,
} from "../agents/schemas.ts";
import { renderSite, type SiteFiles } from "../agents/site.ts";
import { checkSite } from "../agents/site-checks.ts";
import { type SiteModel, sectionOf, siteFromBuild } from "../agents/site-model.ts";
import { outlineOf } from "../agents/site-outline.ts";
import { changeTheme } from "../agents/theme.ts";
import type { Workflow } from "../agents/workflow.ts";
import { type AgentName, type LlmClient, type LlmUsage, withContext } from "../llm/index.ts";
import { applyScope, type RunPolicy, scopeEdit } from "../policy/index.ts";

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

  const editing = wf.baseSite !== undefined;
  switch (editing ? `edit-${wf.stage}` : wf.stage) {
    case "edit-plan": {
      const site = wf.baseSite!;
      const request = requestOf(wf);
      const read = await readLedger(wf.spec.ledger, wf.spec.prompts, site);
      const factEdits = mergeEdits(wf.factEdits, read.edits);
      const newFacts = read.ledger.facts.length > (wf.spec.ledger?.facts.length ?? 0);
      const reading = readEdits(
        [...request.prompts, ...(wf.planFeedback ? [wf.planFeedback] : [])],
        site,
        request.selection,
      );
      const context = {
        prompts: request.prompts,
        feedback: wf.planFeedback,
        selection: request.selection,
        site: outlineOf(site),
        reading,
        spec: wf.spec,
        answers: wf.answers,
        creativity: policy.creativity,
      };
      const result = await call("planner", editPlannerPrompt(policy), context, editPlanSchema, "edit");
      const scoped = scopeEdit(result.value, reading, site, policy);
      // A question is never asked twice, and none is asked when the owner's facts say what to do.
      const asked = new Set(wf.answers.map((a) => a.question));
      const factsSay = hasFactEdits(factEdits) || newFacts;
      const questions = scoped.plan.questions.filter(
        (q) => !asked.has(q) && !(factsSay && !reading.understood),
      );
      scoped.plan.questions = questions;
      return {
        ...base,
        agent: "planner",
        workflow: {
          ...wf,
          spec: { ...wf.spec, ledger: read.ledger },
          factEdits,
          plan: scoped.plan,
          change: scoped.plan.change,
          planFeedback: undefined,
          stage: "approve",
        },
        usage: result.usage,
        model: result.model,
        summary: questions.length
          ? "A question before changing anything."
          : `Plan: ${describePlan(scoped.plan, site)}.`,
        fingerprint: fingerprintOf("planner", scoped.plan),
        questions,
        suggestions: scoped.suggestions,
      };
    }
    case "edit-design":
    case "design": {
      const context = {
        plan: wf.plan,
        current: wf.baseSite?.theme,
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
    case "edit-build": {
      const site = wf.baseSite!;
      const plan = wf.plan as EditPlan;
      const change = plan.change;
      const repair = wf.review && !wf.review.passed ? wf.review.issues : [];
      const toWrite = sectionsToWrite(plan, site);
      const theme =
        change.kind === "redesign" && wf.design
          ? { ...wf.design.directions[wf.design.chosen]!, header: null }
          : changeTheme(site.theme, change.theme);
      let build: Build | null = null;
      let usage: LlmUsage = { promptTokens: 0, completionTokens: 0 };
      let model = llm.model;
      if (toWrite.length) {
        const request = requestOf(wf);
        const context = {
          plan,
          change,
          design: theme,
          current: toWrite.flatMap((id) => {
            const s = sectionOf(site, id);
            const instruction = change.rewrite.find((r) => r.id === id)?.instruction ?? "";
            return s ? [{ ...s, instruction }] : [];
          }),
          new: plan.sections.filter((s) => toWrite.includes(s.id) && !sectionOf(site, s.id)),
          items: wf.spec.items ?? {},
          ops: readEdits(request.prompts, site, request.selection).ops,
          creativity: policy.creativity,
          autonomy: policy.autonomy,
          repair,
        };
        const result = await call("builder", builderEditPrompt(policy), context, buildSchema, "build");
        build = result.value;
        usage = result.usage;
        model = result.model;
      }
      const edited = applyEdit(site, plan, build, theme);
      const kept = applyLedger(edited, wf.spec.ledger ?? { facts: [], removed: [], read: 0 }, wf.factEdits, {
        add: true,
        title: false,
        base: site,
        said: wf.spec.prompts,
      });
      const next = kept.site;
      const files = renderSite(next);
      const diff = diffFiles(renderSite(site), files);
      const planned = {
        ...plan,
        sections: [
          ...plan.sections,
          ...kept.added.map((a) => ({ id: a.id, title: a.title, purpose: "", requested: true })),
        ],
      };
      return {
        ...base,
        agent: "builder",
        workflow: {
          ...wf,
          plan: planned,
          site: next,
          build: build ?? wf.build,
          placements: kept.placements,
          factsTouched: kept.touched,
          stage: "review",
        },
        files,
        usage,
        model,
        summary: `${repair.length ? "Repaired" : "Changed"}: ${describeDiff(diff)}. ${describePlacements(kept.placements, kept.invented)}`,
        fingerprint: fingerprintOf("builder", next),
      };
    }
    case "plan": {
      const read = await readLedger(wf.spec.ledger, wf.spec.prompts, undefined);
      const context = {
        spec: wf.spec,
        previousPlan: wf.previousPlan,
        answers: wf.answers,
        feedback: wf.planFeedback,
        creativity: policy.creativity,
        autonomy: policy.autonomy,
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
          spec: { ...wf.spec, ledger: read.ledger },
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
    case "build": {
      const repair = wf.review && !wf.review.passed ? wf.review.issues : [];
      const context = {
        plan: wf.plan,
        design: wf.design,
        items: wf.spec.items ?? {},
        creativity: policy.creativity,
        autonomy: policy.autonomy,
        repair,
      };
      const result = await call("builder", builderPrompt(policy), context, buildSchema, "build");
      const built = siteFromBuild(
        wf.plan!,
        wf.design!.directions[wf.design!.chosen]!,
        result.value,
        wf.spec.cta ?? null,
      );
      // The owner's facts are checked in code whatever the model wrote; an exact list of sections gets none added.
      const kept = applyLedger(built, wf.spec.ledger ?? { facts: [], removed: [], read: 0 }, undefined, {
        add: !wf.spec.exact,
        title: true,
        said: wf.spec.prompts,
      });
      const site = kept.site;
      const files = renderSite(site);
      const plan = {
        ...wf.plan!,
        sections: [
          ...wf.plan!.sections,
          ...kept.added.map((a) => ({ id: a.id, title: a.title, purpose: "", requested: true })),
        ],
      };
      return {
        ...base,
        agent: "builder",
        workflow: { ...wf, plan, build: result.value, site, placements: kept.placements, stage: "review" },
        files,
        usage: result.usage,
        model: result.model,
        summary: `${repair.length ? "Repaired" : "Built"} ${plan.sections.length} section(s). ${describePlacements(kept.placements, kept.invented)}`,
        fingerprint: fingerprintOf("builder", result.value),
      };
    }
    case "edit-review":
    case "review": {
      const plannedIds = wf.plan!.sections.map((s) => s.id);
      const untouched = editing ? untouchedIds(wf) : [];
      const context = { files: input.files, plannedIds, untouched, rubric: policy.reviewerRubric };
      const result = await call("reviewer", reviewerPrompt(policy), context, reviewSchema, "review");
      // Problems found in the files themselves count whatever the model concluded.
      const contract =
        editing && wf.site
          ? changedUntouched(
              wf.baseSite!,
              wf.site,
              plannedIds.filter((id) => !untouched.includes(id)),
            ).map((id) => ({
              sectionId: id,
              problem: "section changed though the edit did not touch it",
              fix: "restore it",
            }))
          : [];
      const issues = [...checkSite(input.files, plannedIds), ...contract, ...result.value.issues];
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

const requestOf = (wf: Workflow) => wf.request ?? { prompts: wf.spec.prompts.slice(-1), selection: null };

/** Sections an edit must leave exactly as they were. */
function untouchedIds(wf: Workflow): string[] {
  const plan = wf.plan as EditPlan;
  const site = wf.baseSite!;
  const written = new Set(sectionsToWrite(plan, site));
  const touched = new Set(wf.factsTouched ?? []);
  return plan.sections
    .filter((s) => !written.has(s.id) && !touched.has(s.id) && sectionOf(site, s.id)?.heading === s.title)
    .map((s) => s.id);
}

function describePlan(plan: EditPlan, site: SiteModel): string {
  const c = plan.change;
  const parts: string[] = [];
  const before = site.sections.map((s) => s.id);
  const after = plan.sections.map((s) => s.id);
  const added = plan.sections.filter((s) => !before.includes(s.id)).map((s) => s.title);
  const removed = site.sections.filter((s) => !after.includes(s.id)).map((s) => s.heading);
  if (c.title) parts.push(`retitle the site “${c.title}”`);
  const theme = Object.entries(c.theme).filter(([, v]) => v !== null);
  if (theme.length) parts.push(`change the ${theme.map(([k]) => k).join(", ")}`);
  if (c.kind === "redesign") parts.push("redesign the site");
  if (added.length) parts.push(`add ${added.join(", ")}`);
  if (removed.length) parts.push(`remove ${removed.join(", ")}`);
  const rewritten = c.rewrite.map((r) => sectionOf(site, r.id)?.heading ?? r.id);
  if (rewritten.length && c.kind !== "redesign") parts.push(`update ${rewritten.join(", ")}`);
  return parts.length ? `${c.kind} change: ${parts.join("; ")}` : "nothing to change";
}
