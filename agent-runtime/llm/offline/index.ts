import { contextOf, estimateTokens, type LlmClient, type LlmRequest, type LlmResult } from "../client.ts";
import { type BuilderContext, offlineBuild } from "./builder.ts";
import { type DesignerContext, offlineDesign } from "./designer.ts";
import { type EditPlannerContext, offlineEditPlan } from "./editor.ts";
import { offlinePlan, type PlannerContext } from "./planner.ts";
import { offlineReview, type ReviewerContext } from "./reviewer.ts";

/**
 * The model used with no account: deterministic for a seed, reading the same prompts the real model
 * gets. It streams its answer in chunks (paced) so progress and stop behave as with a real model.
 */
export class OfflineModel implements LlmClient {
  readonly model = "websplat-offline-1";
  readonly #paceMs: number;

  constructor(paceMs: number) {
    this.#paceMs = paceMs;
  }

  async complete<T>(request: LlmRequest<T>): Promise<LlmResult<T>> {
    request.signal.throwIfAborted();
    const answer = this.#answer(request);
    const text = JSON.stringify(answer);
    for (let at = 0; at < text.length; at += 240) {
      if (this.#paceMs > 0) await pause(this.#paceMs, request.signal);
      request.signal.throwIfAborted();
      request.onDelta?.(text.slice(at, at + 240));
    }
    return {
      value: request.schema.parse(answer),
      usage: {
        promptTokens: estimateTokens(request.system + request.user),
        completionTokens: estimateTokens(text),
      },
      model: this.model,
    };
  }

  #answer(request: LlmRequest<unknown>): unknown {
    switch (request.agent) {
      case "planner":
        return request.schemaName === "edit"
          ? offlineEditPlan(contextOf<EditPlannerContext>(request.user))
          : offlinePlan(contextOf<PlannerContext>(request.user));
      case "designer":
        return offlineDesign(contextOf<DesignerContext>(request.user), request.seed);
      case "builder":
        return offlineBuild(contextOf<BuilderContext>(request.user), request.seed);
      case "reviewer":
        return offlineReview(contextOf<ReviewerContext>(request.user));
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener("abort", aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener("abort", aborted, { once: true });
  });
}
