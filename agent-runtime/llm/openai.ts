import type OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { capabilitiesOf } from "./capabilities.ts";
import { estimateTokens, type LlmClient, type LlmRequest, type LlmResult, ModelError } from "./client.ts";

export interface OpenAiOptions {
  apiKey?: string;
  baseUrl?: string;
  model: string;
  /** Sent with every call: the platform's proxy learns the tenant from `x-websplat-tenant`. */
  headers?: Record<string, string>;
  /** Retries on 429 and 5xx, with the SDK's exponential backoff (it honours Retry-After). */
  maxRetries?: number;
  /** Extra attempts when an answer does not match the schema. */
  formatRetries?: number;
}

/** Chat completions with structured outputs, streamed, validated by zod. */
export class OpenAiModel implements LlmClient {
  readonly model: string;
  readonly #client: OpenAI;
  readonly #formatRetries: number;

  constructor(client: OpenAI, options: OpenAiOptions) {
    this.#client = client;
    this.model = options.model;
    this.#formatRetries = options.formatRetries ?? 2;
  }

  async complete<T>(request: LlmRequest<T>): Promise<LlmResult<T>> {
    const capabilities = capabilitiesOf(this.model);
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: "system", content: request.system },
      { role: "user", content: request.user },
    ];
    const usage = { promptTokens: 0, completionTokens: 0 };
    let problem = "";
    for (let attempt = 0; attempt <= this.#formatRetries; attempt++) {
      const text = await this.#stream(request, messages, capabilities, usage);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        problem = "the answer was not JSON";
      }
      if (parsed !== undefined) {
        const checked = request.schema.safeParse(parsed);
        if (checked.success) return { value: checked.data, usage, model: this.model };
        problem = checked.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join(".") || "answer"}: ${i.message}`)
          .join("; ");
      }
      // Show the model its own answer and what was wrong with it, then ask again.
      messages.push(
        { role: "assistant", content: text },
        {
          role: "user",
          content: `That answer does not match the ${request.schemaName} schema (${problem}). Answer again.`,
        },
      );
    }
    throw new ModelError(
      "model_output_invalid",
      `The model's ${request.agent} answer did not match the expected format after ${this.#formatRetries + 1} attempts (${problem}). Try again, or choose another model.`,
      502,
    );
  }

  async #stream<T>(
    request: LlmRequest<T>,
    messages: OpenAI.Chat.ChatCompletionMessageParam[],
    capabilities: ReturnType<typeof capabilitiesOf>,
    usage: { promptTokens: number; completionTokens: number },
  ): Promise<string> {
    const stream = await this.#client.chat.completions.create(
      {
        model: this.model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        response_format: zodResponseFormat(request.schema as never, request.schemaName),
        ...(capabilities.temperature ? { temperature: request.temperature } : {}),
        ...(capabilities.seed ? { seed: request.seed } : {}),
      },
      { signal: request.signal },
    );
    let text = "";
    let reported = false;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta?.content ?? "";
      if (delta) {
        text += delta;
        request.onDelta?.(delta);
      }
      if (chunk.usage) {
        reported = true;
        usage.promptTokens += chunk.usage.prompt_tokens;
        usage.completionTokens += chunk.usage.completion_tokens;
      }
    }
    if (!reported) {
      usage.promptTokens += estimateTokens(messages.map((m) => String(m.content)).join(""));
      usage.completionTokens += estimateTokens(text);
    }
    return text;
  }
}

/** Loads the SDK only when a real model is configured, keeping start fast. */
export async function createOpenAiModel(options: OpenAiOptions): Promise<OpenAiModel> {
  const { default: OpenAIClient } = await import("openai");
  const client = new OpenAIClient({
    apiKey: options.apiKey ?? "not-needed",
    baseURL: options.baseUrl,
    defaultHeaders: options.headers,
    maxRetries: options.maxRetries ?? 3,
    timeout: 120_000,
  });
  return new OpenAiModel(client, options);
}
