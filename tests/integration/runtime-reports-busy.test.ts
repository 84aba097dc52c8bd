import postgres from "postgres";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type RuntimeProcess, startRuntimeProcess } from "../support/runtime/process.ts";
import { createTestTenant, type TestTenant } from "../support/runtime/tenant.ts";

let tenant: TestTenant;
let runtime: RuntimeProcess;
let sql: postgres.Sql;

beforeAll(async () => {
  tenant = await createTestTenant("busy-co");
  runtime = await startRuntimeProcess(tenant.env);
  sql = postgres(tenant.databaseUrl, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  if (runtime.child.exitCode === null) runtime.child.kill("SIGKILL");
});

const busy = async () =>
  ((await (await fetch(`${runtime.url}/healthz?busy`)).json()) as { busy?: boolean }).busy;

/** The platform's idle stop asks the runtime, which reads its own runs with its own role. */
test("healthz?busy says whether a run is queued or running, and plain healthz stays the same", async () => {
  // Any other request loads the builder, which answers the question from then on.
  await fetch(`${runtime.url}/api/projects`);
  expect(await busy()).toBe(false);

  const [project] = await sql`insert into projects (name) values ('Busy') returning id`;
  const [run] = await sql`
    insert into runs (project_id, prompt, status, autonomy, creativity, seed, policy, workflow)
    values (${project!.id}, 'build it', 'queued', 2, 2, 1, '{}'::jsonb, '{}'::jsonb) returning id`;
  expect(await busy()).toBe(true);

  await sql`update runs set status = 'completed' where id = ${run!.id}`;
  expect(await busy()).toBe(false);
  expect(await (await fetch(`${runtime.url}/healthz`)).json()).toEqual({ status: "ok", tenant: "busy-co" });
});
