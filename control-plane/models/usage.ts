import type { Logger } from "pino";
import client from "prom-client";
import type { Metrics } from "../metrics.ts";

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/**
 * Counts the tokens tenants spend through the proxy: a counter by kind (not by tenant: one series per
 * tenant would grow without bound) and one log line per call naming the tenant, against its tier's monthly
 * allowance, which the runtime enforces.
 */
export function usageRecorder(metrics: Metrics, logger: Logger) {
  const name = "websplat_model_tokens_total";
  const tokens =
    (metrics.registry.getSingleMetric(name) as client.Counter<"kind"> | undefined) ??
    new client.Counter({
      name,
      help: "Model tokens tenants' runtimes spent through the platform's model proxy, by kind (prompt, completion)",
      labelNames: ["kind"],
      registers: [metrics.registry],
    });
  return (tenant: string, usage: TokenUsage | null) => {
    if (!usage) {
      logger.warn({ tenant }, "model call reported no token usage");
      return;
    }
    tokens.inc({ kind: "prompt" }, usage.promptTokens);
    tokens.inc({ kind: "completion" }, usage.completionTokens);
    logger.info({ tenant, ...usage }, "model tokens used");
  };
}

/** The `usage` of a chat completion (or of a streamed chunk), when it has one. */
export function usageOf(value: unknown): TokenUsage | null {
  const usage = (value as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null)?.usage;
  if (!usage || typeof usage.prompt_tokens !== "number" || typeof usage.completion_tokens !== "number")
    return null;
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
}

/** Passes a server-sent event stream through unchanged, reading the usage chunk on the way. */
export function usageTap(onEnd: (usage: TokenUsage | null) => void): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  let pending = "";
  let usage: TokenUsage | null = null;
  const read = (line: string) => {
    if (!line.startsWith("data:")) return;
    const data = line.slice(5).trim();
    if (!data.startsWith("{")) return;
    try {
      usage = usageOf(JSON.parse(data)) ?? usage;
    } catch {
      // Not JSON: the client sees it as it came; there is nothing to count in it.
    }
  };
  return new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) read(line);
    },
    flush() {
      read(pending + decoder.decode());
      onEnd(usage);
    },
  });
}
