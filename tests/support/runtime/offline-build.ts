import { emptySpec, type Spec, updateSpec } from "../../../agent-runtime/agents/spec.ts";
import type { Workflow } from "../../../agent-runtime/agents/workflow.ts";
import { type LlmClient, OfflineModel } from "../../../agent-runtime/llm/index.ts";
import { compilePolicy } from "../../../agent-runtime/policy/index.ts";
import { runAgentStep } from "../../../agent-runtime/runs/agent-steps.ts";

export interface BuildOptions {
  autonomy: number;
  creativity: number;
  seed: number;
  /** The section selected in the preview. */
  selection?: string;
  /** How the owner answers a question; without it the run stops at the first question. */
  answer?: (questions: string[]) => string;
}

export interface BuiltSite {
  files: Record<string, string>;
  html: string;
  css: string;
  sections: string[];
  sectionTags: number;
  suggestions: string[];
  questions: string[];
  messages: string[];
  /** Plans the owner was asked to approve (and approved). */
  approvals: number;
  /** Whether the run ended waiting on an unanswered question. */
  unanswered: boolean;
  workflow: Workflow;
}

/**
 * Runs the agents without a database, as the builder service does (each prompt a run from the
 * previous run's head), approving plans as the owner would.
 */
export class OfflineSession {
  files: Record<string, string> = {};
  workflow: Partial<Workflow> = {};
  readonly #llm: LlmClient;

  constructor(llm: LlmClient = new OfflineModel(0)) {
    this.#llm = llm;
  }

  async prompt(prompt: string, input: BuildOptions): Promise<BuiltSite> {
    const policy = compilePolicy({ autonomy: input.autonomy, creativity: input.creativity, tier: "pro" });
    const previous = this.workflow;
    const spec: Spec = updateSpec(previous.spec ?? emptySpec(), prompt);
    let wf: Workflow = {
      stage: "plan",
      spec,
      previousPlan: previous.plan,
      design: previous.design,
      site: previous.site,
      baseSite: previous.site,
      request: { prompts: [prompt], selection: input.selection ?? null },
      superseded: [],
      answers: [],
      repairs: 0,
      stepsTaken: 0,
      stepAllowance: 99,
      tokenAllowance: 1e9,
      recentActions: [],
    };
    const suggestions: string[] = [];
    const questions: string[] = [];
    const messages: string[] = [];
    let files = this.files;
    let approvals = 0;
    let unanswered = false;
    while (wf.stage !== "done") {
      if (wf.stage === "approve") {
        const structural = !wf.change || wf.change.kind === "structure" || wf.change.kind === "redesign";
        if (policy.requirePlanApproval && structural) approvals++;
        wf = { ...wf, stage: "design" };
        continue;
      }
      if (wf.stage === "design" && wf.change && wf.change.kind !== "redesign") {
        wf = { ...wf, stage: "build" };
        continue;
      }
      const outcome = await runAgentStep({
        workflow: wf,
        policy,
        seed: input.seed,
        files,
        llm: this.#llm,
        signal: new AbortController().signal,
        onDelta: () => {},
      });
      suggestions.push(...outcome.suggestions.map((s) => s.id));
      questions.push(...outcome.questions);
      messages.push(outcome.summary);
      files = outcome.files ?? files;
      wf = outcome.workflow;
      if (outcome.questions.length) {
        // As the runtime does: the answer joins the spec and the answers, and the plan is made again.
        const text = input.answer?.(outcome.questions);
        if (text === undefined || questions.length > outcome.questions.length * 3) {
          unanswered = true;
          break;
        }
        wf = {
          ...wf,
          stage: "plan",
          spec: updateSpec(wf.spec, text),
          answers: [...wf.answers, ...outcome.questions.map((question) => ({ question, answer: text }))],
        };
      }
    }
    if (!unanswered) {
      this.files = files;
      this.workflow = wf;
    }
    const html = files["index.html"] ?? "";
    return {
      files,
      html,
      css: files["styles.css"] ?? "",
      sections: [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]!),
      sectionTags: (html.match(/<section\b/g) ?? []).length,
      suggestions,
      questions,
      messages,
      approvals,
      unanswered,
      workflow: wf,
    };
  }
}

/** One prompt on a new site. */
export async function buildOffline(prompt: string, input: BuildOptions) {
  return new OfflineSession().prompt(prompt, input);
}

/** A section's whole block (`<section id=…>…</section>`) in a page, or null. */
export function sectionBlock(html: string, id: string): string | null {
  return new RegExp(`<section id="${id}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? null;
}

/** What a visitor reads: the page's text without the owner's placeholders or markup. */
export function visibleText(html: string): string {
  return html
    .replace(/<head>[\s\S]*?<\/head>/, "")
    .replace(/<(\w+)[^>]*data-placeholder[^>]*>[\s\S]*?<\/\1>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, " ")
    .trim();
}
