import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadConfig } from "../../agent-runtime/config.ts";
import { builderDatabase } from "../../agent-runtime/db/index.ts";
import { reportFinishedRun } from "../../agent-runtime/support/run-report.ts";
import { type OwnerClient, signIn, startInProcess } from "../support/runtime/client.ts";
import { createTestTenant } from "../support/runtime/tenant.ts";
import { waitFor } from "../support/wait.ts";

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  answered: number;
}

/** The platform's tenant API on loopback: answers each report with the next status of `answers`, then 201. */
function fakePlatform() {
  const received: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const answered = answers.shift() ?? 201;
      received.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(text), answered });
      res.writeHead(answered, { "content-type": "application/json" });
      res.end(
        JSON.stringify(answered < 300 ? { recorded: true } : { error: { code: "nope", message: "not now" } }),
      );
    });
  });
  return { server, received, answers };
}

const platform = fakePlatform();
let runtime: Awaited<ReturnType<typeof startInProcess>>;
let owner: OwnerClient;
let tenant: Awaited<ReturnType<typeof createTestTenant>>;
let completedRunId = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => platform.server.listen(0, "127.0.0.1", resolve));
  const { port } = platform.server.address() as AddressInfo;
  tenant = await createTestTenant("reports-co", {
    WEBSPLAT_PLATFORM_URL: `http://127.0.0.1:${port}`,
    WEBSPLAT_PLATFORM_TOKEN: "reports-co-platform-token",
  });
  runtime = await startInProcess(tenant);
  owner = await signIn(runtime.url, tenant);
});
afterAll(async () => {
  await runtime?.close();
  await new Promise((resolve) => platform.server.close(resolve));
});

const reportsOf = (runId: string) => platform.received.filter((r) => r.body.runId === runId);

describe("a finished run is reported to the platform", () => {
  test("with its status and tokens, as this tenant, retried after the platform fails once", async () => {
    platform.answers.push(503);
    const project = (await owner.post("/api/projects", { name: "Bakery" })).body.project.id;
    const { body } = await owner.post(`/api/projects/${project}/runs`, {
      prompt: "A website for my bakery called Crumb with about and menu sections",
      autonomy: 4,
      creativity: 2,
    });
    const run = await owner.waitForStatus(body.run.id, ["completed", "failed"]);
    expect(run.status).toBe("completed");
    completedRunId = run.id;
    await waitFor(() => reportsOf(run.id).some((r) => r.answered === 201), { timeoutMs: 15_000 });
    const reports = reportsOf(run.id);
    expect(reports.map((r) => r.answered)).toEqual([503, 201]);
    for (const report of reports) {
      expect(report.path).toBe("/api/tenant/runs");
      expect(report.headers.authorization).toBe("Bearer reports-co-platform-token");
      expect(report.headers["x-websplat-tenant"]).toBe("reports-co");
    }
    expect(reports[1]!.body).toEqual({
      runId: run.id,
      status: "completed",
      promptTokens: run.usage.promptTokens,
      completionTokens: run.usage.completionTokens,
      finishedAt: new Date(run.finishedAt).toISOString(),
    });
  });

  test("a stopped run is reported too; a report the platform refuses is not retried and the run stands", async () => {
    platform.answers.push(400);
    const project = (await owner.post("/api/projects", { name: "Florist" })).body.project.id;
    const { body } = await owner.post(`/api/projects/${project}/runs`, {
      prompt: "A website for my flower shop called Petal with about and contact sections",
      autonomy: 1,
      creativity: 2,
    });
    await owner.waitForStatus(body.run.id, ["awaiting_input"]);
    expect((await owner.post(`/api/runs/${body.run.id}/stop`, {})).status).toBe(200);
    await waitFor(() => reportsOf(body.run.id).length > 0, { timeoutMs: 10_000 });
    // Long enough for a retry the reporter should not make (its first wait is a second).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(reportsOf(body.run.id).map((r) => [r.body.status, r.answered])).toEqual([["stopped", 400]]);
    expect((await owner.get(`/api/runs/${body.run.id}`)).body.run.status).toBe("stopped");
  });

  test("a platform that keeps failing is tried a few times, then the report is logged, not thrown", async () => {
    platform.answers.push(503, 503, 503);
    const sql = postgres(tenant.databaseUrl, { max: 1, onnotice: () => {} });
    const lines: Array<{ msg: string; attempts?: number; runId?: string }> = [];
    const log = pino({ level: "warn" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    try {
      const db = builderDatabase(sql);
      const { port } = platform.server.address() as AddressInfo;
      const config = loadConfig({
        ...tenant.env,
        WEBSPLAT_PLATFORM_URL: `http://127.0.0.1:${port}`,
        WEBSPLAT_PLATFORM_TOKEN: "reports-co-platform-token",
      });
      const before = reportsOf(completedRunId).length;
      await reportFinishedRun({ db, config, log }, completedRunId, [10, 20]);
      expect(
        reportsOf(completedRunId)
          .slice(before)
          .map((r) => r.answered),
      ).toEqual([503, 503, 503]);
      expect(lines).toEqual([
        expect.objectContaining({
          msg: "the platform did not take this run's usage",
          attempts: 3,
          runId: completedRunId,
        }),
      ]);
      // Run alone, with no platform, nothing is sent and nothing is logged.
      const { WEBSPLAT_PLATFORM_URL: _url, WEBSPLAT_PLATFORM_TOKEN: _token, ...standalone } = tenant.env;
      const alone = loadConfig(standalone);
      expect(alone.platform).toBeUndefined();
      const count = platform.received.length;
      await reportFinishedRun({ db, config: alone, log }, completedRunId, [10]);
      expect(platform.received.length).toBe(count);
      expect(lines).toHaveLength(1);
    } finally {
      await sql.end();
    }
  });
});
