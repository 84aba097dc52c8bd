import { readFile } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantApiToken } from "../../control-plane/tenant-access.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { startMeteredModel } from "../support/metered-model.ts";
import { admin } from "../support/stripe-events.ts";

const MODEL = "gpt-metered";
const INT_MAX = 2_147_483_647;

/** Slugs "rr-": tenants seeded as active, whose builders report runs (and call the model) with their own token. */
describe("attack: a builder reports runs that overflow, backdate or inflate the platform's figures", () => {
  let plane: RunningControlPlane;
  let model: Awaited<ReturnType<typeof startMeteredModel>>;
  let key: string;
  const as = (slug: string) => ({
    "content-type": "application/json",
    authorization: `Bearer ${tenantApiToken(key, slug)}`,
    "x-websplat-tenant": slug,
  });
  const report = (slug: string, run: Record<string, unknown>) =>
    fetch(`${plane.url}/api/tenant/runs`, {
      method: "POST",
      headers: as(slug),
      body: JSON.stringify({
        status: "completed",
        promptTokens: 10,
        completionTokens: 1,
        finishedAt: new Date().toISOString(),
        ...run,
      }),
    });
  const stats = async () => {
    const response = await admin(plane, "/admin/stats?since=30d");
    return { status: response.status, body: await response.json() };
  };
  const stored = async (slug: string) => {
    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      return await sql<Array<{ run_id: string; prompt_tokens: number; completion_tokens: number }>>`
        select run_id, prompt_tokens, completion_tokens from control_plane.builder_runs where slug = ${slug} order by run_id`;
    } finally {
      await sql.end();
    }
  };

  beforeAll(async () => {
    model = await startMeteredModel();
    plane = await startControlPlane({
      env: {
        OPENAI_BASE_URL: model.url,
        OPENAI_MODEL: MODEL,
        WEBSPLAT_PROBE_INTERVAL_SECONDS: "0",
      },
    });
    key = `${(await readFile(join(plane.dataDir, "owner-key.pem"), "utf8")).trim()}\n`;
    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      for (const slug of ["rr-max", "rr-dates", "rr-inflate", "rr-seeded"])
        await sql`insert into control_plane.tenants (slug, email, tier, desired, status, source, observed_generation)
          values (${slug}, ${`${slug}@example.com`}, 'pro', 'active', 'active', 'signup', 1)`;
    } finally {
      await sql.end();
    }
  }, 60_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
    await model?.close();
  });

  it("a run reporting tokens at the integer maximum is refused, and the figures keep answering", async () => {
    const before = await stats();
    expect(before.status).toBe(200);
    const huge = await report("rr-max", { runId: "max-1", promptTokens: INT_MAX, completionTokens: INT_MAX });
    expect(huge.status).toBe(400);
    expect((await huge.json()).error.message).toMatch(/at most 25000000 tokens/);
    expect(await stored("rr-max")).toEqual([]);
    const after = await stats();
    expect(after.status).toBe(200);
    expect(after.body.builder).toEqual(before.body.builder);
  });

  it("figures sum runs as big integers: runs at the column's maximum cannot make /admin/stats fail", async () => {
    // As if reported before runs were bounded: the largest figures the table can hold.
    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      for (const runId of ["old-1", "old-2"])
        await sql`insert into control_plane.builder_runs (slug, run_id, status, prompt_tokens, completion_tokens, finished_at)
          values ('rr-seeded', ${runId}, 'completed', ${INT_MAX}, ${INT_MAX}, now() - interval '1 hour')`;
    } finally {
      await sql.end();
    }
    for (const since of ["30d", "1d", "90m", "3650d"]) {
      const response = await admin(plane, `/admin/stats?since=${since}`);
      expect(response.status, since).toBe(200);
      expect((await response.json()).builder.pro.tokens, since).toBeGreaterThanOrEqual(4 * INT_MAX);
    }
  });

  it("a backdated, future or impossible finishedAt is a 400 and stores nothing", async () => {
    const cases: Array<[string, string]> = [
      ["2001-01-01T00:00:00Z", "finished_at_out_of_range"],
      [new Date(Date.now() - 3 * 86_400_000).toISOString(), "finished_at_out_of_range"],
      [new Date(Date.now() + 86_400_000).toISOString(), "finished_at_out_of_range"],
      ["2026-02-31T00:00:00Z", "invalid_request"],
      ["+275760-09-13T00:00:00Z", "invalid_request"],
    ];
    for (const [n, [finishedAt, code]] of cases.entries()) {
      const response = await report("rr-dates", { runId: `date-${n}`, finishedAt });
      expect(response.status, finishedAt).toBe(400);
      expect((await response.json()).error.code, finishedAt).toBe(code);
    }
    expect(await stored("rr-dates")).toEqual([]);
    expect((await report("rr-dates", { runId: "date-now" })).status).toBe(201);
  });

  it("a builder cannot report more tokens than the platform's model proxy counted for it", async () => {
    const call = await fetch(`${plane.url}/api/tenant/model/v1/chat/completions`, {
      method: "POST",
      headers: as("rr-inflate"),
      body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "spend 1000" }] }),
    });
    expect(call.status).toBe(200);
    // The proxy counted 1000 prompt and 1 completion tokens; the builder claims far more, twice.
    expect(
      (await report("rr-inflate", { runId: "i-1", promptTokens: 900, completionTokens: 1 })).status,
    ).toBe(201);
    expect(
      (await report("rr-inflate", { runId: "i-2", promptTokens: 1_000_000, completionTokens: 500_000 }))
        .status,
    ).toBe(201);
    expect(await stored("rr-inflate")).toEqual([
      { run_id: "i-1", prompt_tokens: 900, completion_tokens: 1 },
      { run_id: "i-2", prompt_tokens: 100, completion_tokens: 0 },
    ]);
  });
});
