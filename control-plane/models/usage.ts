import { and, eq, sql } from "drizzle-orm";
import type { Logger } from "pino";
import client from "prom-client";
import type { Database } from "../db/client.ts";
import { modelUsage } from "../db/schema.ts";
import type { Metrics } from "../metrics.ts";

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** The first day of `at`'s month (UTC), as `model_usage.month` holds it. */
export function monthOf(at: Date): string {
  return `${at.toISOString().slice(0, 7)}-01`;
}

/** When the month of `at` ends (UTC): a tenant's monthly allowance starts again then. */
export function nextMonthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

/** Adds one call's tokens to the tenant's month. */
export async function addModelUsage(db: Database, slug: string, usage: TokenUsage, at = new Date()) {
  await db
    .insert(modelUsage)
    .values({ slug, month: monthOf(at), ...usage, calls: 1 })
    .onConflictDoUpdate({
      target: [modelUsage.slug, modelUsage.month],
      set: {
        promptTokens: sql`${modelUsage.promptTokens} + excluded.prompt_tokens`,
        completionTokens: sql`${modelUsage.completionTokens} + excluded.completion_tokens`,
        calls: sql`${modelUsage.calls} + 1`,
      },
    });
}

/** Tokens the tenant spent through the proxy in the month of `at`. */
export async function monthlyModelTokens(db: Database, slug: string, at = new Date()): Promise<number> {
  const [row] = await db
    .select({ tokens: sql<string>`${modelUsage.promptTokens} + ${modelUsage.completionTokens}` })
    .from(modelUsage)
    .where(and(eq(modelUsage.slug, slug), eq(modelUsage.month, monthOf(at))));
  return Number(row?.tokens ?? 0);
}

/** Tokens the tenant ever spent through the proxy, by kind: the most its builder can have used. */
export async function proxiedModelTokens(db: Database, slug: string): Promise<TokenUsage> {
  const [row] = await db
    .select({
      promptTokens: sql<string>`coalesce(sum(${modelUsage.promptTokens}), 0)`,
      completionTokens: sql<string>`coalesce(sum(${modelUsage.completionTokens}), 0)`,
    })
    .from(modelUsage)
    .where(eq(modelUsage.slug, slug));
  return {
    promptTokens: Number(row?.promptTokens ?? 0),
    completionTokens: Number(row?.completionTokens ?? 0),
  };
}

/** About four characters a token: what an aborted stream is counted at, as the model never said. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * Counts the tokens tenants spend through the proxy: in the tenant's month (its allowance is checked against
 * it), a counter by kind (not by tenant: one series per tenant would grow without bound) and one log line
 * per call naming the tenant.
 */
export function usageRecorder(metrics: Metrics, logger: Logger, db: Database) {
  const name = "websplat_model_tokens_total";
  const tokens =
    (metrics.registry.getSingleMetric(name) as client.Counter<"kind"> | undefined) ??
    new client.Counter({
      name,
      help: "Model tokens tenants' runtimes spent through the platform's model proxy, by kind (prompt, completion)",
      labelNames: ["kind"],
      registers: [metrics.registry],
    });
  return async (tenant: string, usage: TokenUsage | null, how: "answered" | "aborted" = "answered") => {
    if (!usage) {
      logger.warn({ tenant }, "model call reported no token usage");
      return;
    }
    tokens.inc({ kind: "prompt" }, usage.promptTokens);
    tokens.inc({ kind: "completion" }, usage.completionTokens);
    logger.info({ tenant, ...usage, how }, "model tokens used");
    await addModelUsage(db, tenant, usage).catch((error) =>
      logger.error({ err: error, tenant, ...usage }, "model tokens could not be recorded"),
    );
  };
}

/** The `usage` of a chat completion (or of a streamed chunk), when it has one. */
export function usageOf(value: unknown): TokenUsage | null {
  const usage = (value as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null)?.usage;
  if (!usage || typeof usage.prompt_tokens !== "number" || typeof usage.completion_tokens !== "number")
    return null;
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
}

/** How a streamed answer ended: with the model's own usage, or cut short (by the client or the model). */
export type StreamEnd = { how: "answered"; usage: TokenUsage } | { how: "aborted"; completionText: string };

/**
 * Passes a server-sent event stream through unchanged, reading the usage chunk on the way; `onEnd` is called
 * once however the stream ends, with the text streamed so far when it never reached its usage.
 */
export function usageTap(
  upstream: ReadableStream<Uint8Array>,
  onEnd: (end: StreamEnd) => void,
): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  let usage: TokenUsage | null = null;
  let completionText = "";
  let ended = false;
  const end = (result: StreamEnd) => {
    if (ended) return;
    ended = true;
    onEnd(result);
  };
  const read = (line: string) => {
    if (!line.startsWith("data:")) return;
    const data = line.slice(5).trim();
    if (!data.startsWith("{")) return;
    try {
      const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: unknown } }> };
      usage = usageOf(chunk) ?? usage;
      const content = chunk.choices?.[0]?.delta?.content;
      if (typeof content === "string") completionText += content;
    } catch {
      // Not JSON: the client sees it as it came; there is nothing to count in it.
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        end({ how: "aborted", completionText });
        controller.error(error);
        return;
      }
      if (next.done) {
        read(pending + decoder.decode());
        end(usage ? { how: "answered", usage } : { how: "aborted", completionText });
        controller.close();
        return;
      }
      controller.enqueue(next.value);
      pending += decoder.decode(next.value, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) read(line);
    },
    async cancel(reason) {
      // The client went away: the model has spent what it streamed so far, and the prompt.
      end({ how: "aborted", completionText });
      await reader.cancel(reason).catch(() => {});
    },
  });
}
