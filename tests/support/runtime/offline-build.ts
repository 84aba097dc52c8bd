import { emptySpec, updateSpec } from "../../../agent-runtime/agents/spec.ts";
import type { Workflow } from "../../../agent-runtime/agents/workflow.ts";
import { OfflineModel } from "../../../agent-runtime/llm/index.ts";
import { compilePolicy } from "../../../agent-runtime/policy/index.ts";
import { runAgentStep } from "../../../agent-runtime/runs/agent-steps.ts";

/** Runs the four agents on the offline model without a database, approving the plan as the owner would. */
export async function buildOffline(
  prompt: string,
  input: { autonomy: number; creativity: number; seed: number },
) {
  const policy = compilePolicy({ ...input, tier: "pro" });
  const llm = new OfflineModel(0);
  let files: Record<string, string> = {};
  let wf: Workflow = {
    stage: "plan",
    spec: updateSpec(emptySpec(), prompt),
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
  while (wf.stage !== "done") {
    if (wf.stage === "approve") {
      wf = { ...wf, stage: "design" };
      continue;
    }
    const outcome = await runAgentStep({
      workflow: wf,
      policy,
      seed: input.seed,
      files,
      llm,
      signal: new AbortController().signal,
      onDelta: () => {},
    });
    suggestions.push(...outcome.suggestions.map((s) => s.id));
    questions.push(...outcome.questions);
    if (outcome.questions.length) break;
    files = outcome.files ?? files;
    wf = outcome.workflow;
  }
  const html = files["index.html"] ?? "";
  return {
    html,
    css: files["styles.css"] ?? "",
    sections: [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]),
    sectionTags: (html.match(/<section\b/g) ?? []).length,
    suggestions,
    questions,
    workflow: wf,
  };
}
