import { readFile } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantApiToken } from "../../control-plane/tenant-access.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { startMeteredModel } from "../support/metered-model.ts";
import { waitFor } from "../support/wait.ts";

const MODEL = "gpt-metered";
const PER_MINUTE = 20;
const CONCURRENT = 2;

/** Slugs "ml-": starter tenants seeded as active, calling the platform's model proxy with their own token. */
describe("attack: a tenant's runtime spends the platform's model beyond one builder's fair use", () => {
  let plane: RunningControlPlane;
  let model: Awaited<ReturnType<typeof startMeteredModel>>;
  let key: string;
  const call = (slug: string, body: Record<string, unknown>, signal?: AbortSignal) =>
    fetch(`${plane.url}/api/tenant/model/v1/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${tenantApiToken(key, slug)}`,
        "x-websplat-tenant": slug,
      },
      body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "hello" }], ...body }),
      signal,
    });
  const say = (slug: string, content: string, extra: Record<string, unknown> = {}, signal?: AbortSignal) =>
    call(slug, { messages: [{ role: "user", content }], ...extra }, signal);
  const tokensCounted = async () => {
    const text = await (await fetch(`${plane.url}/metrics`)).text();
    const read = (kind: string) =>
      Number(
        new RegExp(`^websplat_model_tokens_total\\{kind="${kind}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0,
      );
    return { prompt: read("prompt"), completion: read("completion") };
  };

  beforeAll(async () => {
    model = await startMeteredModel();
    plane = await startControlPlane({
      env: {
        OPENAI_BASE_URL: model.url,
        OPENAI_MODEL: MODEL,
        WEBSPLAT_MODEL_CALLS_PER_MINUTE: String(PER_MINUTE),
        WEBSPLAT_MODEL_CONCURRENT_CALLS: String(CONCURRENT),
        WEBSPLAT_PROBE_INTERVAL_SECONDS: "0",
      },
    });
    key = `${(await readFile(join(plane.dataDir, "owner-key.pem"), "utf8")).trim()}\n`;
    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      for (const slug of ["ml-fields", "ml-rate", "ml-calm", "ml-open", "ml-abort", "ml-budget"])
        await sql`insert into control_plane.tenants (slug, email, tier, desired, status, source, observed_generation)
          values (${slug}, ${`${slug}@example.com`}, 'starter', 'active', 'active', 'signup', 1)`;
    } finally {
      await sql.end();
    }
  }, 60_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
    await model?.close();
  });

  it("fields beyond a plain chat completion (n, service_tier, store, tools…) are a clear 400 and never reach the model", async () => {
    const before = model.calls.length;
    for (const extra of [
      { n: 64 },
      { service_tier: "priority" },
      { store: true },
      { tools: [{ type: "function", function: { name: "f", parameters: {} } }] },
      { logprobs: true, top_logprobs: 20 },
      { stream: true, stream_options: { include_usage: false, include_obfuscation: true } },
    ]) {
      const response = await call("ml-fields", extra);
      const label = JSON.stringify(extra);
      expect(response.status, label).toBe(400);
      const { error } = await response.json();
      expect(error.code, label).toMatch(/^(field_not_allowed|invalid_request)$/);
      expect(error.message, label).toContain(
        Object.keys(extra).at(-1) === "stream_options" ? "stream_options" : Object.keys(extra)[0],
      );
    }
    expect(model.calls.length).toBe(before);
    // What the builder sends still passes.
    const allowed = await call("ml-fields", {
      temperature: 0.4,
      seed: 7,
      response_format: { type: "json_schema", json_schema: { name: "plan", schema: {} } },
    });
    expect(allowed.status).toBe(200);
  });

  it("one tenant's calls are limited per minute (429 with Retry-After); another tenant's are not", async () => {
    for (let n = 0; n < PER_MINUTE; n++)
      expect((await say("ml-rate", "spend 1")).status, `call ${n}`).toBe(200);
    const before = model.calls.length;
    const limited = await say("ml-rate", "spend 1");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await limited.json()).error).toMatchObject({ code: "rate_limited" });
    expect(model.calls.length).toBe(before);
    expect((await say("ml-calm", "spend 1")).status).toBe(200);
  });

  it("a tenant holds at most its share of open streams; one ending frees its place", async () => {
    const aborts = [new AbortController(), new AbortController()];
    const open = await Promise.all(aborts.map((a) => say("ml-open", "hang", { stream: true }, a.signal)));
    for (const response of open) expect(response.status).toBe(200);
    const third = await say("ml-open", "hang", { stream: true });
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBeTruthy();
    expect((await third.json()).error).toMatchObject({ code: "too_many_open_calls" });
    // The two open calls reached the model in either order: whichever is aborted frees the place.
    const released = Promise.race(model.calls.slice(-2).map((call) => call.aborted));
    aborts[1]!.abort();
    await released;
    const next = await waitFor(
      async () => {
        const response = await say("ml-open", "spend 1");
        if (response.status === 200) return response;
        await response.body?.cancel();
        return null;
      },
      { timeoutMs: 15_000, what: "a place freed by the aborted stream" },
    );
    expect(next.status).toBe(200);
    aborts[0]!.abort();
  });

  it("a stream the client aborts is still counted: its prompt and what it streamed", async () => {
    const before = await tokensCounted();
    const abort = new AbortController();
    const response = await say("ml-abort", "hang", { stream: true }, abort.signal);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("the first words");
    const upstreamGone = model.calls.at(-1)!.aborted;
    abort.abort();
    await upstreamGone;
    const after = await waitFor(
      async () => {
        const now = await tokensCounted();
        return now.prompt > before.prompt && now.completion > before.completion ? now : null;
      },
      { timeoutMs: 15_000, what: "the aborted stream's tokens in websplat_model_tokens_total" },
    );
    expect(after.completion - before.completion).toBeGreaterThanOrEqual(1);
  });

  it("a tenant past its month's tokens gets a 429 token_budget_exhausted from the proxy, saying when it resets", async () => {
    // Starter: 500,000 tokens a month. Two calls of 300,000 cross it; the third is refused here.
    expect((await say("ml-budget", "spend 300000")).status).toBe(200);
    expect((await say("ml-budget", "spend 300000")).status).toBe(200);
    const before = model.calls.length;
    const refused = await say("ml-budget", "spend 1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-should-retry")).toBe("false");
    const { error } = await refused.json();
    const now = new Date();
    const reset = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(error).toMatchObject({ code: "token_budget_exhausted", resetsAt: reset.toISOString() });
    expect(error.message).toContain("500,000");
    expect(error.message).toContain(reset.toISOString().slice(0, 10));
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Math.abs(retryAfter - (reset.getTime() - Date.now()) / 1000)).toBeLessThan(120);
    expect(model.calls.length).toBe(before);
    expect((await say("ml-calm", "spend 1")).status).toBe(200);
  });
});
