import type { z } from "zod";
import { RuntimeError } from "../http/errors.ts";

export type AgentName = "planner" | "designer" | "builder" | "reviewer";

export interface LlmRequest<T> {
  agent: AgentName;
  system: string;
  /** Instructions followed by `CONTEXT:` and the JSON the agent works from. */
  user: string;
  schema: z.ZodType<T>;
  schemaName: string;
  temperature: number;
  seed: number;
  /** The run's signal: stopping the run aborts the call. */
  signal: AbortSignal;
  /** Streamed text as it arrives. */
  onDelta?: (text: string) => void;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface LlmResult<T> {
  value: T;
  usage: LlmUsage;
  model: string;
}

/** One interface for every model: the OpenAI SDK (or a compatible server) and the offline model. */
export interface LlmClient {
  readonly model: string;
  complete<T>(request: LlmRequest<T>): Promise<LlmResult<T>>;
}

export class ModelError extends RuntimeError {}

export const CONTEXT_MARKER = "\nCONTEXT:\n";

export function withContext(instructions: string, context: unknown): string {
  return `${instructions}${CONTEXT_MARKER}${JSON.stringify(context)}`;
}

export function contextOf<T>(user: string): T {
  const at = user.indexOf(CONTEXT_MARKER);
  return JSON.parse(at < 0 ? "{}" : user.slice(at + CONTEXT_MARKER.length)) as T;
}

/** Rough token count (4 characters a token) where a server reports none. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);
