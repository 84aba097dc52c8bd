import type { Config } from "../config.ts";

/** Where the proxy sends tenants' model calls, with the platform's key; null when the platform runs no model. */
export interface ModelUpstream {
  /** OpenAI-compatible API root, such as `https://api.openai.com/v1`. */
  baseUrl: string;
  /** The platform's key; none for a keyless server such as Ollama. */
  apiKey?: string;
  /** The only model tenants may call. */
  model: string;
}

const OPENAI_API = "https://api.openai.com/v1";

/** The agent runtime's own default when it is told no model (agent-runtime/llm/index.ts). */
export const RUNTIME_DEFAULT_MODEL = "gpt-4o-mini";

/** With neither key nor base URL the platform runs no model, and runtimes use their offline one. */
export function modelUpstream(
  config: Pick<Config, "OPENAI_API_KEY" | "OPENAI_BASE_URL" | "OPENAI_MODEL">,
): ModelUpstream | null {
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) return null;
  return {
    baseUrl: (config.OPENAI_BASE_URL ?? OPENAI_API).replace(/\/+$/, ""),
    apiKey: config.OPENAI_API_KEY,
    model: config.OPENAI_MODEL ?? RUNTIME_DEFAULT_MODEL,
  };
}

/** Mount point of the proxy; a runtime's `WEBSPLAT_MODEL_URL` is the platform's URL followed by this. */
export const MODEL_PROXY_PATH = "/api/tenant/model/v1";

/** What a runtime is told about the model: the platform's proxy, never the upstream or its key. */
export function runtimeModelEnv(upstream: ModelUpstream | null, platformUrl: string): Record<string, string> {
  return upstream ? { WEBSPLAT_MODEL_URL: `${platformUrl.replace(/\/+$/, "")}${MODEL_PROXY_PATH}` } : {};
}
