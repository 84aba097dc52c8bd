import type { RuntimeConfig } from "../config.ts";
import type { LlmClient } from "./client.ts";
import { OfflineModel } from "./offline/index.ts";

export * from "./client.ts";
export { OfflineModel } from "./offline/index.ts";

/** With no model URL (the platform's proxy, or OPENAI_BASE_URL) and no key, the offline model builds the sites. */
export async function createLlmClient(config: RuntimeConfig): Promise<LlmClient> {
  const { apiKey, baseUrl, name, headers } = config.model;
  if (!apiKey && !baseUrl) return new OfflineModel(config.offlinePaceMs);
  const { createOpenAiModel } = await import("./openai.ts");
  return createOpenAiModel({ apiKey, baseUrl, headers, model: name ?? "gpt-4o-mini" });
}
