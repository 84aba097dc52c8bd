import { readFile } from "node:fs/promises";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantApiToken } from "../../control-plane/tenant-access.ts";
import {
  fetchTenant,
  type RunningControlPlane,
  signInOwner,
  startControlPlane,
} from "../support/control-plane.ts";
import {
  type FakeAnswer,
  type FakeRequest,
  goodAnswers,
  startFakeOpenAi,
} from "../support/runtime/fake-openai.ts";
import { admin, settledActive, waitForTenant } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

const PLATFORM_KEY = "sk-platform-0123456789abcdefghijklmnopqrstuvwxyz";
const MODEL = "gpt-fake-mini";

/** A fake model behind the platform, answering the builder's four agents. Slugs "mp-". */
function answer(request: FakeRequest): FakeAnswer {
  const prompt = request.body.messages.at(-1)?.content;
  if (prompt === "rate limited") return { status: 429, headers: { "retry-after": "7" } };
  if (prompt === "key revoked") return { status: 401 };
  switch (request.schemaName) {
    case "plan":
      return { json: goodAnswers.plan() };
    case "design":
      return { json: goodAnswers.design() };
    case "build": {
      const user = request.body.messages.find((m) => m.role === "user")?.content ?? "";
      const context = JSON.parse(user.slice(user.indexOf("\nCONTEXT:\n") + 10));
      return { json: goodAnswers.build(context.plan.sections.map((s: { id: string }) => s.id)) };
    }
    case "review":
      return { json: goodAnswers.review() };
    default:
      return { text: "pong" };
  }
}

describe("attack: a tenant's runtime takes the platform's model key, or spends it beyond its own calls", () => {
  let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
  let plane: RunningControlPlane;
  let signingKey: string;
  const proxyUrl = () => `${plane.url}/api/tenant/model/v1`;
  const credential = (slug: string) => tenantApiToken(signingKey, slug);
  const post = (
    path: string,
    headers: Record<string, string>,
    body: unknown = { model: MODEL, messages: [{ role: "user", content: "ping" }] },
  ) =>
    fetch(`${proxyUrl()}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const as = (slug: string, header = slug) => ({
    authorization: `Bearer ${credential(slug)}`,
    "x-websplat-tenant": header,
  });

  beforeAll(async () => {
    fake = await startFakeOpenAi(answer);
    plane = await startControlPlane({
      env: {
        OPENAI_API_KEY: PLATFORM_KEY,
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: MODEL,
        WEBSPLAT_IDLE_SECONDS: "0",
        WEBSPLAT_OFFLINE_PACE_MS: "0",
      },
    });
    signingKey = `${(await readFile(join(plane.dataDir, "owner-key.pem"), "utf8")).trim()}\n`;
    for (const slug of ["mp-alice", "mp-bob"]) {
      const created = await admin(plane, "/admin/tenants", {
        method: "POST",
        body: { slug, email: `${slug}@example.com`, tier: "starter" },
      });
      expect(created.status).toBeLessThan(300);
    }
    for (const slug of ["mp-alice", "mp-bob"])
      await waitForTenant(plane, slug, settledActive, { timeoutMs: 60_000, what: "active" });
  }, 120_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
    await fake?.close();
  });

  it("a runtime's process environment holds no model key, only the platform's proxy address", async () => {
    const tenant = await waitForTenant(plane, "mp-alice", settledActive, {
      timeoutMs: 10_000,
      what: "active",
    });
    const environ = await readFile(`/proc/${tenant.outputs.details.pid}/environ`, "utf8");
    expect(environ).not.toContain(PLATFORM_KEY);
    expect(environ).not.toContain("OPENAI_API_KEY=");
    expect(environ).not.toContain(fake.url);
    // Runtimes reach this control plane on loopback.
    expect(environ.split("\0")).toContain(
      `WEBSPLAT_MODEL_URL=http://127.0.0.1:${plane.port}/api/tenant/model/v1`,
    );
  });

  it("a builder run reaches the model through the platform, which alone sends the platform's key", async () => {
    const before = fake.requests.length;
    const cookie = await signInOwner(plane, "mp-alice");
    const owner = async (path: string, body?: unknown) => {
      const response = await fetchTenant(plane, "mp-alice", path, {
        method: body === undefined ? "GET" : "POST",
        headers: { cookie, "content-type": "application/json", accept: "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return await response.json();
    };
    const { project } = await owner("/api/projects", { name: "Proxied" });
    const { run } = await owner(`/api/projects/${project.id}/runs`, {
      prompt: "A website for a café by the harbour with a menu and opening hours",
      autonomy: 4,
      creativity: 2,
    });
    const done = await waitFor(
      async () => {
        const { run: now } = await owner(`/api/runs/${run.id}`);
        return ["completed", "failed"].includes(now.status) ? now : null;
      },
      { timeoutMs: 60_000, what: "the builder run to finish" },
    );
    expect(done.status).toBe("completed");
    const calls = fake.requests.slice(before);
    expect(calls.map((call) => call.schemaName)).toEqual(expect.arrayContaining(["plan", "build"]));
    for (const call of calls) {
      expect(call.path).toBe("/v1/chat/completions");
      expect(call.headers.authorization).toBe(`Bearer ${PLATFORM_KEY}`);
      expect(JSON.stringify(call.headers)).not.toContain(credential("mp-alice"));
      expect(call.headers["x-websplat-tenant"]).toBeUndefined();
    }
  }, 90_000);

  it("streams a tenant's completion through as it comes, with the usage the proxy counts", async () => {
    const client = new OpenAI({
      baseURL: proxyUrl(),
      apiKey: credential("mp-bob"),
      defaultHeaders: { "x-websplat-tenant": "mp-bob" },
      maxRetries: 0,
    });
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "ping" }],
      stream: true,
    });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    expect(text).toBe("pong");
    expect(chunks).toBeGreaterThan(1);
    const upstream = fake.requests.at(-1)!;
    expect(upstream.body.stream).toBe(true);
    expect((upstream.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    expect(upstream.headers.authorization).toBe(`Bearer ${PLATFORM_KEY}`);
  });

  it("passes the model's own refusals through with their retry advice, and makes one of the platform's key ours", async () => {
    const ask = (content: string) =>
      post("/chat/completions", as("mp-bob"), { model: MODEL, messages: [{ role: "user", content }] });
    const limited = await ask("rate limited");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(await limited.json()).toMatchObject({ error: { type: "server_error" } });
    const revoked = await ask("key revoked");
    expect(revoked.status).toBe(502);
    expect(await revoked.json()).toMatchObject({ error: { code: "model_refused_platform" } });
  });

  it("refuses a missing credential, another tenant's, and one that names no active tenant", async () => {
    const before = fake.requests.length;
    const missing = await post("/chat/completions", {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: "unauthorized" } });
    expect((await post("/chat/completions", { authorization: `Bearer ${PLATFORM_KEY}` })).status).toBe(401);
    // Bob's credential sent as Alice, and Alice's header with Bob's credential.
    expect((await post("/chat/completions", as("mp-bob", "mp-alice"))).status).toBe(401);
    expect(
      (await post("/chat/completions", { ...as("mp-alice"), "x-websplat-tenant": "mp-bob" })).status,
    ).toBe(401);
    const admins = await post("/chat/completions", {
      authorization: `Bearer ${plane.adminToken}`,
      "x-websplat-tenant": "mp-alice",
    });
    expect(admins.status).toBe(401);
    const ghost = await post("/chat/completions", as("mp-ghost"));
    expect(ghost.status).toBe(403);
    expect(await ghost.json()).toMatchObject({ error: { code: "tenant_not_active" } });
    expect(fake.requests.length).toBe(before);
  });

  it("forwards chat completions of the platform's model only: other endpoints, models and bodies are refused", async () => {
    const before = fake.requests.length;
    const models = await fetch(`${proxyUrl()}/models`, { headers: as("mp-alice") });
    expect(models.status).toBe(403);
    expect(await models.json()).toMatchObject({ error: { code: "model_endpoint_not_allowed" } });
    for (const path of [
      "/embeddings",
      "/images/generations",
      "/files",
      "/../../admin/tenants",
      "/chat/completions/x",
    ])
      expect((await post(path, as("mp-alice"))).status, path).toBeGreaterThanOrEqual(400);
    expect((await post("/embeddings", as("mp-alice"))).status).toBe(403);
    const expensive = await post("/chat/completions", as("mp-alice"), {
      model: "o1-pro",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(expensive.status).toBe(403);
    expect(await expensive.json()).toMatchObject({ error: { code: "model_not_allowed" } });
    expect((await post("/chat/completions", as("mp-alice"), "{not json")).status).toBe(400);
    expect((await post("/chat/completions", as("mp-alice"), { model: MODEL })).status).toBe(400);
    const huge = await post("/chat/completions", as("mp-alice"), {
      model: MODEL,
      messages: [{ role: "user", content: "x".repeat(2 * 1024 * 1024) }],
    });
    expect(huge.status).toBe(413);
    expect(fake.requests.length).toBe(before);
  });
});
