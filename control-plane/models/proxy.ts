import { Hono } from "hono";
import { z } from "zod";
import { errorBody } from "../http/errors.ts";
import type { Services } from "../platform-services.ts";
import { findTenant } from "../registry/tenants.ts";
import { tenantAuth } from "../tenant-access.ts";
import { type ModelUpstream, modelUpstream } from "./upstream.ts";
import { type TokenUsage, usageOf, usageRecorder, usageTap } from "./usage.ts";

/** What a runtime may ask of the model: a chat completion, streamed or not (agent-runtime/llm/openai.ts). */
const ChatCompletion = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()).min(1),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({}).optional(),
});

/** Upstream answer headers a client acts on (content type, its retry advice); nothing else crosses. */
const FORWARDED_HEADERS = ["content-type", "retry-after", "retry-after-ms", "x-should-retry", "x-request-id"];

/**
 * The platform's model proxy: runtimes call the model with their own tenant credential, and only the
 * control plane holds the platform's key. It forwards chat completions for the platform's model and refuses
 * every other endpoint, so a tenant that takes over its runtime can spend its own allowance and nothing more.
 */
export function modelProxy(services: Services) {
  const upstream = modelUpstream(services.config);
  const record = usageRecorder(services.metrics, services.logger);
  const app = new Hono<{ Variables: { tenantSlug: string } }>();
  app.use("*", tenantAuth(services.ownerPrivateKey));
  app.use("*", async (c, next) => {
    const tenant = await findTenant(services.db, c.get("tenantSlug"));
    if (tenant?.desired !== "active")
      return c.json(
        errorBody("tenant_not_active", "Only an active tenant's runtime may call the model."),
        403,
      );
    await next();
  });
  app.post("/chat/completions", async (c) => {
    if (!upstream)
      return c.json(
        errorBody("model_not_configured", "This platform runs no model; runtimes use their offline model."),
        503,
      );
    const parsed = ChatCompletion.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json(
        errorBody("invalid_request", "Send a JSON chat completion with a model and at least one message."),
        400,
      );
    const body = parsed.data;
    if (body.model !== upstream.model)
      return c.json(
        errorBody("model_not_allowed", `This platform serves the model "${upstream.model}" only.`),
        403,
      );
    // Streams report their usage only when asked: the proxy counts every call.
    if (body.stream) body.stream_options = { ...body.stream_options, include_usage: true };
    const slug = c.get("tenantSlug");
    const answer = await callUpstream(upstream, body, c.req.raw.signal);
    if (!answer) return c.json(errorBody("model_unreachable", "The model did not answer; try again."), 502);
    if (answer.status === 401 || answer.status === 403) {
      services.logger.error({ tenant: slug, status: answer.status }, "the model refused the platform's key");
      return c.json(
        errorBody("model_refused_platform", "The platform's model account refused the call."),
        502,
      );
    }
    const headers = new Headers();
    for (const name of FORWARDED_HEADERS) {
      const value = answer.headers.get(name);
      if (value) headers.set(name, value);
    }
    const count = (usage: TokenUsage | null) => {
      if (answer.ok) record(slug, usage);
    };
    if (!answer.body || !headers.get("content-type")?.startsWith("text/event-stream")) {
      const text = await answer.text();
      count(usageOf(safeJson(text)));
      return new Response(text, { status: answer.status, headers });
    }
    // The ingress in front of the control plane must not hold a stream back until it ends.
    headers.set("x-accel-buffering", "no");
    return new Response(answer.body.pipeThrough(usageTap(count)), { status: answer.status, headers });
  });
  app.all("*", (c) =>
    c.json(
      errorBody(
        "model_endpoint_not_allowed",
        "The platform's model proxy forwards POST /chat/completions only.",
      ),
      403,
    ),
  );
  return app;
}

async function callUpstream(upstream: ModelUpstream, body: object, signal: AbortSignal) {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (upstream.apiKey) headers.authorization = `Bearer ${upstream.apiKey}`;
  try {
    return await fetch(`${upstream.baseUrl}/chat/completions`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      signal,
    });
  } catch {
    return null;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
