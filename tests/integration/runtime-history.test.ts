import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type OwnerClient, signIn, startInProcess } from "../support/runtime/client.ts";
import { createTestTenant } from "../support/runtime/tenant.ts";

let runtime: Awaited<ReturnType<typeof startInProcess>>;
let owner: OwnerClient;

beforeAll(async () => {
  const tenant = await createTestTenant("history-co");
  runtime = await startInProcess(tenant);
  owner = await signIn(runtime.url, tenant);
});
afterAll(() => runtime.close());

const files = async (projectId: string) =>
  (await owner.get(`/api/projects/${projectId}/files`)).body.files as { path: string; content: string }[];
const conversation = async (projectId: string) =>
  ((await owner.get(`/api/projects/${projectId}`)).body.messages as { content: string }[]).map(
    (m) => m.content,
  );
const timeline = async (projectId: string) =>
  (await owner.get(`/api/projects/${projectId}/checkpoints`)).body;

async function build(projectId: string, prompt: string, autonomy = 4) {
  const { body } = await owner.post(`/api/projects/${projectId}/runs`, { prompt, autonomy, creativity: 2 });
  return owner.waitForStatus(body.run.id, ["completed", "failed", "awaiting_input"]);
}

describe("rollback", () => {
  test("restores exactly a checkpoint's files or conversation as a new restore checkpoint, and redo undoes it", async () => {
    const { body } = await owner.post("/api/projects", { name: "Café" });
    const projectId = body.project.id;
    expect(
      (await build(projectId, "A website for my café called Harbor Beans with about and menu sections"))
        .status,
    ).toBe("completed");
    const first = {
      files: await files(projectId),
      messages: await conversation(projectId),
      head: (await timeline(projectId)).head,
    };
    expect((await build(projectId, "Add a pricing section with our prices: espresso $3")).status).toBe(
      "completed",
    );
    const second = {
      files: await files(projectId),
      messages: await conversation(projectId),
      timeline: await timeline(projectId),
    };
    expect(second.files).not.toEqual(first.files);
    expect(second.files.find((f) => f.path === "index.html")!.content).toContain('id="pricing"');

    const files1 = await owner.post(`/api/projects/${projectId}/rollback`, {
      checkpointId: first.head,
      scope: "files",
    });
    expect(files1.status).toBe(201);
    expect(files1.body.checkpoint).toMatchObject({
      kind: "restore",
      restoreScope: "files",
      restoredFromId: first.head,
    });
    expect(await files(projectId)).toEqual(first.files);
    expect(await conversation(projectId)).toEqual(second.messages);
    const after = await timeline(projectId);
    expect(after.checkpoints).toHaveLength(second.timeline.checkpoints.length + 1);
    expect(after.head).toBe(files1.body.checkpoint.id);

    await owner.post(`/api/projects/${projectId}/rollback`, {
      checkpointId: first.head,
      scope: "conversation",
    });
    expect(await conversation(projectId)).toEqual(first.messages);
    expect(await files(projectId)).toEqual(first.files);

    // Redo: roll back to the head before the rollbacks.
    await owner.post(`/api/projects/${projectId}/rollback`, {
      checkpointId: second.timeline.head,
      scope: "both",
    });
    expect(await files(projectId)).toEqual(second.files);
    expect(await conversation(projectId)).toEqual(second.messages);
    expect((await timeline(projectId)).checkpoints).toHaveLength(second.timeline.checkpoints.length + 3);
  });

  test("is refused with a 409 while a run is active", async () => {
    const { body } = await owner.post("/api/projects", { name: "Busy" });
    const projectId = body.project.id;
    const waiting = await build(projectId, "A website for my bakery with about and contact sections", 0);
    expect(waiting.status).toBe("awaiting_input");
    const { head } = await timeline(projectId);
    const refused = await owner.post(`/api/projects/${projectId}/rollback`, {
      checkpointId: head,
      scope: "both",
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "run_active" });
    expect(refused.body.error.message).toMatch(/stop it before rolling back/);
  });
});

describe("steering and re-prompting", () => {
  test("a prompt sent while a run is busy steers it at the next step, superseding the stale plan", async () => {
    const { body } = await owner.post("/api/projects", { name: "Steer" });
    const projectId = body.project.id;
    const run = await build(projectId, "A website for my bakery with about and menu sections", 0);
    expect(run.pending[0].kind).toBe("plan_approval");
    const steer = await owner.post(`/api/projects/${projectId}/runs`, {
      prompt: "Drop the menu; add a contact section instead. Without menu.",
      autonomy: 0,
      creativity: 2,
    });
    expect(steer.status).toBe(202);
    expect(steer.body).toMatchObject({ steered: true, run: { id: run.id } });
    await owner.post(`/api/runs/${run.id}/input`, { type: "approve" });
    const replanned = await owner.waitForStatus(run.id, ["awaiting_input", "completed", "failed"]);
    expect(replanned.plan.sections.map((s: { id: string }) => s.id)).toEqual(["about", "contact"]);
    expect(replanned.superseded.map((s: { id: string }) => s.id)).toContain("menu");
    await owner.post(`/api/runs/${run.id}/input`, { type: "approve" });
    expect((await owner.waitForStatus(run.id, ["completed", "failed"])).status).toBe("completed");
    const html = (await files(projectId)).find((f) => f.path === "index.html")!.content;
    expect(html.match(/<section id="([^"]+)"/g)).toEqual(['<section id="about"', '<section id="contact"']);
  });
});

describe("suggestions and the event stream", () => {
  test("an accepted suggestion becomes a new run that builds it", async () => {
    const { body } = await owner.post("/api/projects", { name: "Suggest" });
    const projectId = body.project.id;
    const run = await build(projectId, "A website for my café with about and menu sections", 1);
    await owner.post(`/api/runs/${run.id}/input`, { type: "approve" });
    const done = await owner.waitForStatus(run.id, ["completed", "failed"]);
    const hours = done.suggestions.find((s: { payload: { id: string } }) => s.payload.id === "hours");
    const accepted = await owner.post(`/api/runs/${run.id}/input`, {
      type: "accept_suggestion",
      interruptId: hours.id,
    });
    expect(accepted.body).toMatchObject({ steered: false });
    const next = await owner.waitForStatus(accepted.body.runId, ["awaiting_input", "failed"]);
    expect(next.plan.sections.map((s: { id: string }) => s.id)).toEqual(["about", "menu", "hours"]);
    await owner.post(`/api/runs/${next.id}/input`, { type: "approve" });
    expect((await owner.waitForStatus(next.id, ["completed", "failed"])).status).toBe("completed");
    expect((await files(projectId)).find((f) => f.path === "index.html")!.content).toContain(
      '<section id="hours"',
    );
  });

  test("the event stream resumes after Last-Event-ID", async () => {
    const { body } = await owner.post("/api/projects", { name: "Stream" });
    const run = await build(body.project.id, "A website for my café with about and menu sections", 4);
    const read = async (lastEventId?: string) => {
      const response = await fetch(`${owner.url}/api/runs/${run.id}/events`, {
        headers: { cookie: owner.cookie, ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
      });
      return [...(await response.text()).matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    };
    const all = await read();
    expect(all.length).toBeGreaterThan(5);
    const middle = all[Math.floor(all.length / 2)]!;
    expect(await read(String(middle))).toEqual(all.filter((id) => id > middle));
  });
});

describe("tier limits", () => {
  test("usage is recorded per run and month, and going over the monthly budget pauses with a message", async () => {
    const tenant = await createTestTenant("budget-co", {
      WEBSPLAT_LIMIT_TOKENS_PER_MONTH: "2500",
      WEBSPLAT_LIMIT_SITES: "1",
      WEBSPLAT_TIER: "starter",
    });
    const small = await startInProcess(tenant);
    try {
      const client = await signIn(small.url, tenant);
      const { body } = await client.post("/api/projects", { name: "Only site" });
      const second = await client.post("/api/projects", { name: "One too many" });
      expect(second.status).toBe(403);
      expect(second.body.error.code).toBe("sites_limit_reached");
      expect(second.body.error.message).toMatch(/starter plan includes 1 site/);

      const { body: started } = await client.post(`/api/projects/${body.project.id}/runs`, {
        prompt: "A website for my café with about, menu, hours, location and contact sections",
        autonomy: 4,
        creativity: 4,
      });
      const run = await client.waitForStatus(started.run.id, ["awaiting_input", "completed", "failed"]);
      expect(run.status).toBe("awaiting_input");
      expect(run.pending[0]).toMatchObject({ kind: "budget", payload: { reason: "month" } });
      expect(run.pending[0].payload.message).toMatch(
        /This month's model budget \(2,500 tokens on the starter plan\) is used up/,
      );
      const spent = run.usage.promptTokens + run.usage.completionTokens;
      expect(spent).toBeGreaterThanOrEqual(2500);
      const usage = (await client.get("/api/usage")).body;
      expect(usage).toMatchObject({
        monthTokens: spent,
        monthLimit: 2500,
        tier: "starter",
        sites: 1,
        sitesLimit: 1,
      });
    } finally {
      await small.close();
    }
  });
});
