import type { RuntimeConfig } from "../config.ts";
import type { LlmClient } from "./client.ts";
import { OfflineModel } from "./offline/index.ts";

export * from "./client.ts";
export { OfflineModel } from "./offline/index.ts";

/** With neither OPENAI_API_KEY nor OPENAI_BASE_URL, the offline model builds the sites. */
export async function createLlmClient(config: RuntimeConfig): Promise<LlmClient> {
  const { apiKey, baseUrl, name } = config.model;
  if (!apiKey && !baseUrl) return new OfflineModel(config.offlinePaceMs);
  const { createOpenAiModel } = await import("./openai.ts");
  return createOpenAiModel({ apiKey, baseUrl, model: name ?? "gpt-4o-mini" });
}
