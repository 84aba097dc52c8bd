import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { type OwnerClient, signIn, startInProcess } from "../support/runtime/client.ts";
import {
  type FakeAnswer,
  type FakeRequest,
  goodAnswers,
  startFakeOpenAi,
} from "../support/runtime/fake-openai.ts";
import { createTestTenant } from "../support/runtime/tenant.ts";

let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
let runtime: Awaited<ReturnType<typeof startInProcess>>;
let owner: OwnerClient;
/** Per test: how the fake model answers, by schema name (plan, design, build, review). */
let script: (request: FakeRequest, index: number) => FakeAnswer;

const plannedIds = (request: FakeRequest): string[] => {
  const user = request.body.messages.find((m) => m.role === "user")!.content;
  const context = JSON.parse(user.slice(user.indexOf("\nCONTEXT:\n") + 10));
  return context.plan.sections.map((s: { id: string }) => s.id);
};

function happy(request: FakeRequest): FakeAnswer {
  switch (request.schemaName) {
    case "plan":
      return { json: goodAnswers.plan() };
    case "design":
      return { json: goodAnswers.design() };
    case "build":
      return { json: goodAnswers.build(plannedIds(request)) };
    default:
      return { json: goodAnswers.review() };
  }
}

beforeAll(async () => {
  fake = await startFakeOpenAi((request, index) => script(request, index));
  const tenant = await createTestTenant("openai-co");
  runtime = await startInProcess(tenant, {
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: "sk-test",
    OPENAI_MODEL: "gpt-4o-mini",
    WEBSPLAT_LIMIT_SITES: "50",
  });
  owner = await signIn(runtime.url, tenant);
});
afterAll(async () => {
  await runtime.close();
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  script = happy;
});

async function startRun(prompt: string, autonomy: number) {
  const { body: created } = await owner.post("/api/projects", { name: prompt.slice(0, 20) });
  const { body, status } = await owner.post(`/api/projects/${created.project.id}/runs`, {
    prompt,
    autonomy,
    creativity: 2,
  });
  expect(status).toBe(201);
  return { projectId: created.project.id as string, runId: body.run.id as string };
}

describe("with an OpenAI-compatible server", () => {
  test("structured outputs are parsed and validated, and the policy caps what the model adds", async () => {
    const { projectId, runId } = await startRun("A site for my café with about and menu sections", 2);
    const run = await owner.waitForStatus(runId, ["completed", "failed"]);
    expect(run.status).toBe("completed");
    expect(fake.requests.map((r) => r.schemaName)).toEqual(["plan", "design", "build", "review"]);
    expect(fake.requests[0]!.body.response_format?.type).toBe("json_schema");
    expect(fake.requests[0]!.body.temperature).toBeCloseTo(0.6);
    // Autonomy 2 lets the agents add one section of their own; the other idea becomes a suggestion.
    expect(run.plan.sections.map((s: { id: string }) => s.id)).toEqual(["about", "menu", "gallery"]);
    expect(run.suggestions.map((s: { payload: { id: string } }) => s.payload.id)).toEqual([
      "events",
      "newsletter",
    ]);
    const { body } = await owner.get(`/api/projects/${projectId}/files`);
    const html = body.files.find((f: { path: string }) => f.path === "index.html").content as string;
    expect(html.match(/<section\b/g)).toHaveLength(3);
    expect(html).not.toContain("<script");
    expect(run.usage.promptTokens).toBe(400);
  });

  test("a malformed answer is retried; a model that keeps answering badly fails the step with a clear error", async () => {
    script = (request, index) =>
      request.schemaName === "plan" && index === 0 ? { text: "{not json" } : happy(request);
    const first = await startRun("A site for my café with about and menu sections", 2);
    expect((await owner.waitForStatus(first.runId, ["completed", "failed"])).status).toBe("completed");
    expect(fake.requests.filter((r) => r.schemaName === "plan")).toHaveLength(2);

    fake.requests.length = 0;
    script = (request) => (request.schemaName === "plan" ? { json: { siteName: "x" } } : happy(request));
    const second = await startRun("A site for my café with about and menu sections", 2);
    const failed = await owner.waitForStatus(second.runId, ["completed", "failed"]);
    expect(failed.status).toBe("failed");
    expect(failed.error.code).toBe("model_output_invalid");
    expect(failed.error.message).toMatch(/planner answer did not match the expected format after 3 attempts/);
    expect(fake.requests).toHaveLength(3);
  });

  test("a 429 is retried with backoff", async () => {
    script = (request, index) =>
      index === 0 ? { status: 429, headers: { "retry-after-ms": "10" } } : happy(request);
    const { runId } = await startRun("A site for my café with about and menu sections", 2);
    expect((await owner.waitForStatus(runId, ["completed", "failed"])).status).toBe("completed");
    expect(fake.requests[0]!.schemaName).toBe("plan");
    expect(fake.requests[1]!.schemaName).toBe("plan");
  });

  test("stop during a streamed call aborts it within a second and leaves a consistent checkpoint", async () => {
    script = (request) => (request.schemaName === "build" ? { hang: true } : happy(request));
    const { projectId, runId } = await startRun("A site for my café with about and menu sections", 2);
    await owner.waitForStatus(runId, ["running"]);
    while (!fake.requests.some((r) => r.schemaName === "build")) await new Promise((r) => setTimeout(r, 20));
    const building = fake.requests.find((r) => r.schemaName === "build")!;
    const started = Date.now();
    const { body } = await owner.post(`/api/runs/${runId}/stop`);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(body.run.status).toBe("stopped");
    await building.aborted;
    const { body: timeline } = await owner.get(`/api/projects/${projectId}/checkpoints`);
    const [stop, design] = timeline.checkpoints;
    expect(stop.kind).toBe("stop");
    expect(timeline.head).toBe(stop.id);
    expect(design.kind).toBe("design");
    expect(stop.treeHash).toBe(design.treeHash);
  });

  test("a question from the planner at low autonomy waits for the owner, and the answer continues the run", async () => {
    let planned = 0;
    script = (request) => {
      if (request.schemaName !== "plan") return happy(request);
      planned++;
      return planned === 1
        ? { json: goodAnswers.plan({ sections: [], questions: ["Which sections do you want?"] }) }
        : happy(request);
    };
    const { runId } = await startRun("Make me a website", 1);
    const waiting = await owner.waitForStatus(runId, ["awaiting_input", "failed"]);
    expect(waiting.status).toBe("awaiting_input");
    expect(waiting.pending[0]).toMatchObject({
      kind: "question",
      payload: { questions: ["Which sections do you want?"] },
    });

    await owner.post(`/api/runs/${runId}/input`, { type: "answer", text: "An about section and a menu" });
    const approval = await owner.waitForStatus(runId, ["awaiting_input", "failed"]);
    expect(approval.pending[0].kind).toBe("plan_approval");
    const secondPlan = fake.requests.filter((r) => r.schemaName === "plan")[1]!;
    expect(secondPlan.body.messages[1]!.content).toContain("An about section and a menu");
    // Autonomy 1: only the asked-for sections are built.
    expect(approval.plan.sections.map((s: { id: string }) => s.id)).toEqual(["about", "menu"]);

    await owner.post(`/api/runs/${runId}/input`, { type: "approve" });
    expect((await owner.waitForStatus(runId, ["completed", "failed"])).status).toBe("completed");
  });

  test("a loop of identical repairs is paused by the loop detector instead of spending the budget", async () => {
    script = (request) =>
      request.schemaName === "review"
        ? {
            json: {
              score: 4,
              passed: false,
              issues: [{ sectionId: "menu", problem: "too plain", fix: "add more" }],
            },
          }
        : happy(request);
    const { runId } = await startRun("A site for my café with about and menu sections", 4);
    const paused = await owner.waitForStatus(runId, ["awaiting_input", "completed", "failed"]);
    expect(paused.status).toBe("awaiting_input");
    expect(paused.pending[0]).toMatchObject({ kind: "loop", payload: { reason: "loop" } });
    expect(fake.requests.filter((r) => r.schemaName === "build")).toHaveLength(3);
  });
});
