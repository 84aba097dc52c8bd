import postgres from "postgres";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type OwnerClient, signIn } from "../support/runtime/client.ts";
import { type RuntimeProcess, startRuntimeProcess } from "../support/runtime/process.ts";
import { createTestTenant, type TestTenant } from "../support/runtime/tenant.ts";

let tenant: TestTenant;
let runtime: RuntimeProcess;

beforeAll(async () => {
  tenant = await createTestTenant("crash-co", { WEBSPLAT_OFFLINE_PACE_MS: "40" });
});
afterAll(() => {
  if (runtime?.child.exitCode === null) runtime.child.kill("SIGKILL");
});

/** Waits on the run's event stream for an event of this type whose data contains `fragment`. */
async function waitForEvent(owner: OwnerClient, url: string, runId: string, type: string, fragment: string) {
  const response = await fetch(`${url}/api/runs/${runId}/events`, { headers: { cookie: owner.cookie } });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${type}`);
    buffer += value;
    const match = buffer
      .split("\n\n")
      .find((block) => block.includes(`event: ${type}`) && block.includes(fragment));
    if (match) {
      await reader.cancel();
      return;
    }
  }
}

test("a runtime killed during a run leaves no half-written checkpoint; after restart the run is interrupted and resumes", async () => {
  runtime = await startRuntimeProcess(tenant.env);
  let owner = await signIn(runtime.url, tenant);
  const { body: created } = await owner.post("/api/projects", { name: "Crash" });
  const projectId = created.project.id;
  const { body: started } = await owner.post(`/api/projects/${projectId}/runs`, {
    prompt: "A website for my café with about, menu, hours and contact sections",
    autonomy: 4,
    creativity: 3,
  });
  const runId = started.run.id;
  await waitForEvent(owner, runtime.url, runId, "step_started", '"stage":"build"');
  runtime.child.kill("SIGKILL");
  await runtime.exited;

  const admin = postgres(tenant.adminUrl, { max: 1, onnotice: () => {} });
  try {
    const schema = admin(tenant.schema);
    const [run] = await admin`select status, workflow from ${schema}.runs where id = ${runId}`;
    expect(run!.status).toBe("running");
    const [head] = await admin`
      select c.workflow, c.kind from ${schema}.branches b join ${schema}.checkpoints c on c.id = b.head_checkpoint_id
      where b.project_id = ${projectId}`;
    // The run's state and the head checkpoint were written in one transaction.
    expect(head!.workflow).toEqual(run!.workflow);
    expect(head!.kind).toBe("design");
    const missing = await admin`
      select t.hash from ${schema}.checkpoints c join ${schema}.trees t on t.hash = c.tree_hash,
      jsonb_each_text(t.entries) e where not exists (select 1 from ${schema}.blobs b where b.hash = e.value)`;
    expect(missing).toHaveLength(0);
  } finally {
    await admin.end();
  }

  runtime = await startRuntimeProcess(tenant.env);
  owner = await signIn(runtime.url, tenant);
  const { body: after } = await owner.get(`/api/runs/${runId}`);
  expect(after.run.status).toBe("interrupted");
  expect(after.run.stage).toBe("build");

  const resumed = await owner.post(`/api/runs/${runId}/input`, { type: "resume" });
  expect(resumed.status).toBe(202);
  const done = await owner.waitForStatus(runId, ["completed", "failed"]);
  expect(done.status).toBe("completed");
  const { body: timeline } = await owner.get(`/api/projects/${projectId}/checkpoints`);
  const kinds = timeline.checkpoints.map((c: { kind: string }) => c.kind).reverse();
  expect(kinds.slice(0, 4)).toEqual(["initial", "plan", "design", "build"]);
  expect(kinds.filter((k: string) => k === "plan")).toHaveLength(1);

  runtime.child.kill("SIGTERM");
  expect((await runtime.exited).code).toBe(0);
});

test("SIGTERM during a run checkpoints it as interrupted and exits 0 within a few seconds", async () => {
  runtime = await startRuntimeProcess(tenant.env);
  const owner = await signIn(runtime.url, tenant);
  const { body: created } = await owner.post("/api/projects", { name: "Shutdown" });
  const { body: started } = await owner.post(`/api/projects/${created.project.id}/runs`, {
    prompt: "A website for my gym with about, pricing and contact sections",
    autonomy: 4,
    creativity: 1,
  });
  await waitForEvent(owner, runtime.url, started.run.id, "step_started", '"stage":"design"');
  const signalled = Date.now();
  runtime.child.kill("SIGTERM");
  expect((await runtime.exited).code).toBe(0);
  expect(Date.now() - signalled).toBeLessThan(5000);
  const admin = postgres(tenant.adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [run] =
      await admin`select status, lease_owner from ${admin(tenant.schema)}.runs where id = ${started.run.id}`;
    expect(run).toEqual({ status: "interrupted", lease_owner: null });
  } finally {
    await admin.end();
  }
});
