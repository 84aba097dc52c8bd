import { Hono } from "hono";
import { z } from "zod";
import { TIERS } from "../../tenant-template/index.ts";
import { errorBody } from "../http/errors.ts";
import { parseJson } from "../http/json.ts";
import { TokenBuckets } from "../http/rate-limit.ts";
import type { Services } from "../platform-services.ts";
import { findTenant, type Tenant } from "../registry/tenants.ts";
import { tenantAuth } from "../tenant-access.ts";
import { type ModelUpstream, modelUpstream } from "./upstream.ts";
import {
  estimateTokens,
  monthlyModelTokens,
  nextMonthStart,
  type StreamEnd,
  type TokenUsage,
  usageOf,
  usageRecorder,
  usageTap,
} from "./usage.ts";

/**
 * What a runtime may ask of the model: a chat completion, streamed or not, with the fields the builder sends
 * (agent-runtime/llm/openai.ts) and the few sampling ones a compatible client may. Anything else (`n`, `tools`,
 * `service_tier`, `store`, …) could multiply the cost of a call or keep data upstream, so it is refused.
 */
const ALLOWED_FIELDS = [
  "model",
  "messages",
  "stream",
  "stream_options",
  "response_format",
  "temperature",
  "top_p",
  "seed",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "presence_penalty",
  "frequency_penalty",
];
const ChatCompletion = z.object({
  model: z.string().min(1),
  messages: z.array(z.unknown()).min(1),
  stream: z.boolean().optional(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional() }).optional(),
  response_format: z.looseObject({ type: z.enum(["text", "json_object", "json_schema"]) }).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
  max_tokens: z.number().int().min(1).optional(),
  max_completion_tokens: z.number().int().min(1).optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
});

/** Upstream answer headers a client acts on (content type, its retry advice); nothing else crosses. */
const FORWARDED_HEADERS = ["content-type", "retry-after", "retry-after-ms", "x-should-retry", "x-request-id"];

type ProxyEnv = { Variables: { tenantSlug: string; tenant: Tenant } };

/**
 * The platform's model proxy: runtimes call the model with their own tenant credential, and only the
 * control plane holds the platform's key. It forwards chat completions for the platform's model and refuses
 * every other endpoint, so a tenant that takes over its runtime can spend its own allowance and nothing more:
 * limited in calls per minute and calls open at once, and refused once its month's tokens are spent.
 */
export function modelProxy(services: Services) {
  const upstream = modelUpstream(services.config);
  const record = usageRecorder(services.metrics, services.logger, services.db);
  const perMinute = services.config.WEBSPLAT_MODEL_CALLS_PER_MINUTE;
  const calls = new TokenBuckets();
  const open = new Map<string, number>();
  const app = new Hono<ProxyEnv>();
  app.use("*", tenantAuth(services.ownerPrivateKey));
  app.use("*", async (c, next) => {
    const tenant = await findTenant(services.db, c.get("tenantSlug"));
    if (tenant?.desired !== "active")
      return c.json(
        errorBody("tenant_not_active", "Only an active tenant's runtime may call the model."),
        403,
      );
    c.set("tenant", tenant);
    await next();
  });
  app.post("/chat/completions", async (c) => {
    if (!upstream)
      return c.json(
        errorBody("model_not_configured", "This platform runs no model; runtimes use their offline model."),
        503,
      );
    const raw = parseJson(await c.req.text());
    if (!raw.ok || !raw.value || typeof raw.value !== "object" || Array.isArray(raw.value))
      return c.json(
        errorBody("invalid_request", "Send a JSON chat completion with a model and at least one message."),
        400,
      );
    const refused = Object.keys(raw.value).filter((field) => !ALLOWED_FIELDS.includes(field));
    if (refused.length > 0)
      return c.json(
        errorBody(
          "field_not_allowed",
          `The platform's model proxy does not forward ${refused.slice(0, 5).join(", ")}; send only ${ALLOWED_FIELDS.join(", ")}.`,
        ),
        400,
      );
    const parsed = ChatCompletion.safeParse(raw.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return c.json(
        errorBody(
          "invalid_request",
          `Send a JSON chat completion with a model and at least one message (${issue.path.join(".") || "body"}: ${issue.message}).`,
        ),
        400,
      );
    }
    const body = parsed.data;
    if (body.model !== upstream.model)
      return c.json(
        errorBody("model_not_allowed", `This platform serves the model "${upstream.model}" only.`),
        403,
      );
    const tenant = c.get("tenant");
    const slug = tenant.slug;
    const allowance = TIERS[tenant.tier].tokensPerMonth;
    const now = new Date();
    if ((await monthlyModelTokens(services.db, slug, now)) >= allowance) {
      const resetsAt = nextMonthStart(now);
      c.header("retry-after", String(Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)));
      // The OpenAI SDK would otherwise retry a 429 at once.
      c.header("x-should-retry", "false");
      return c.json(
        {
          error: {
            code: "token_budget_exhausted",
            message: `This site builder has used its ${allowance.toLocaleString("en")} model tokens for this month (the ${tenant.tier} plan's allowance); it starts again on ${resetsAt.toISOString().slice(0, 10)}. Move to a larger plan for more.`,
            resetsAt: resetsAt.toISOString(),
          },
        },
        429,
      );
    }
    const wait = calls.take(slug, { burst: perMinute, perSecond: perMinute / 60 });
    if (wait > 0) {
      c.header("retry-after", String(wait));
      return c.json(
        errorBody(
          "rate_limited",
          `Too many model calls: at most ${perMinute} a minute per site builder; try again in ${wait} s.`,
        ),
        429,
      );
    }
    const concurrent = services.config.WEBSPLAT_MODEL_CONCURRENT_CALLS;
    if ((open.get(slug) ?? 0) >= concurrent) {
      c.header("retry-after", "1");
      return c.json(
        errorBody(
          "too_many_open_calls",
          `At most ${concurrent} model calls may be open at once per site builder; wait for one to finish.`,
        ),
        429,
      );
    }
    open.set(slug, (open.get(slug) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (open.get(slug) ?? 1) - 1;
      if (left > 0) open.set(slug, left);
      else open.delete(slug);
    };
    try {
      return await forward(c.req.raw.signal, upstream, body, {
        count: (usage, how) => void record(slug, usage, how),
        release,
        logRefusal: (status) =>
          services.logger.error({ tenant: slug, status }, "the model refused the platform's key"),
      });
    } catch (error) {
      release();
      throw error;
    }
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

interface Forwarding {
  count(usage: TokenUsage, how: "answered" | "aborted"): void;
  /** Frees the tenant's open-call slot: when the answer ends, however it ends. */
  release(): void;
  logRefusal(status: number): void;
}

async function forward(
  signal: AbortSignal,
  upstream: ModelUpstream,
  body: z.infer<typeof ChatCompletion>,
  forwarding: Forwarding,
): Promise<Response> {
  // Streams report their usage only when asked: the proxy counts every call.
  if (body.stream) body.stream_options = { ...body.stream_options, include_usage: true };
  const promptTokens = estimateTokens(JSON.stringify(body.messages));
  const cutShort = (completionText: string) =>
    forwarding.count({ promptTokens, completionTokens: estimateTokens(completionText) }, "aborted");
  const answer = await callUpstream(upstream, body, signal);
  if (!answer) {
    forwarding.release();
    // A client that gave up may still have cost the prompt.
    if (signal.aborted) cutShort("");
    return json(errorBody("model_unreachable", "The model did not answer; try again."), 502);
  }
  if (answer.status === 401 || answer.status === 403) {
    forwarding.release();
    forwarding.logRefusal(answer.status);
    return json(errorBody("model_refused_platform", "The platform's model account refused the call."), 502);
  }
  const headers = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const value = answer.headers.get(name);
    if (value) headers.set(name, value);
  }
  if (!answer.body || !headers.get("content-type")?.startsWith("text/event-stream")) {
    const text = await answer.text().catch(() => null);
    forwarding.release();
    if (text === null) {
      if (answer.ok) cutShort("");
      return json(errorBody("model_unreachable", "The model's answer was cut short; try again."), 502);
    }
    if (answer.ok) {
      const usage = usageOf(safeJson(text));
      if (usage) forwarding.count(usage, "answered");
      else cutShort(text);
    }
    return new Response(text, { status: answer.status, headers });
  }
  // The ingress in front of the control plane must not hold a stream back until it ends.
  headers.set("x-accel-buffering", "no");
  const tapped = usageTap(answer.body, (end: StreamEnd) => {
    forwarding.release();
    if (!answer.ok) return;
    if (end.how === "answered") forwarding.count(end.usage, "answered");
    else cutShort(end.completionText);
  });
  return new Response(tapped, { status: answer.status, headers });
}

function json(value: unknown, status: number): Response {
  return Response.json(value, { status });
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
