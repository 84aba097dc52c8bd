import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { RuntimeConfig } from "../../agent-runtime/config.ts";
import { unstorableText as runtimeUnstorable } from "../../agent-runtime/http/validate.ts";
import { createLlmClient } from "../../agent-runtime/llm/index.ts";
import { redact as runtimeRedact } from "../../agent-runtime/redaction.ts";
import { unstorableText as platformUnstorable } from "../../control-plane/http/text.ts";
import { modelUpstream } from "../../control-plane/models/index.ts";
import { redact as platformRedact } from "../../control-plane/redaction.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * The runtime is deployed alone and imports nothing of ours, so a few small modules exist twice. These tests
 * fail the moment one copy changes and the other does not.
 */
describe("the runtime's copies of control-plane modules stay the same", () => {
  it("tracing: the same code, apart from the tracer's name", () => {
    const body = (path: string) =>
      readFileSync(resolve(ROOT, path), "utf8")
        .split("\n")
        .filter((line) => !line.startsWith("// The runtime's copy"))
        .join("\n")
        .replace(/getTracer\("[^"]+"\)/, 'getTracer("…")')
        .replace(/\n{3,}/g, "\n\n");
    expect(body("agent-runtime/tracing.ts")).toBe(body("control-plane/tracing.ts"));
  });

  it("log redaction: the same code, so both hide the same secrets", () => {
    const body = (path: string) =>
      readFileSync(resolve(ROOT, path), "utf8")
        .split("\n")
        .filter((line) => !line.startsWith("// The runtime's copy"))
        .join("\n");
    expect(body("agent-runtime/redaction.ts")).toBe(body("control-plane/redaction.ts"));
    // Assembled here so no secret-looking literal sits in the source.
    const line = {
      msg: `failed with ${["whsec", "FAKE"].join("_")} and ${["wsa", "FAKE"].join("_")} at postgres://t_a:pw@db/x`,
      headers: { authorization: "Bearer abc", cookie: "s=1" },
    };
    expect(runtimeRedact(line)).toEqual(platformRedact(line));
    expect(JSON.stringify(runtimeRedact(line))).not.toMatch(/FAKE|pw@|abc|s=1/);
  });

  it("unstorable text: the same verdict on NULs, lone surrogates and their place in nested values", () => {
    const samples: unknown[] = [
      "plain",
      "nul\0inside",
      "lone \uD800 high",
      "lone \uDC00 low",
      "pair \uD83D\uDE00 fine",
      { prompt: ["ok", { deep: "x\0" }] },
      { "key\0": "value" },
      [1, null, true, { a: "\uDFFF" }],
    ];
    for (const sample of samples) {
      const strip = (answer: string | null) => answer?.replace(/\.$/, "") ?? null;
      expect(strip(runtimeUnstorable(sample, "body")), JSON.stringify(sample)).toBe(
        strip(platformUnstorable(sample, "body")),
      );
    }
    expect(runtimeUnstorable({ a: ["x\0"] }, "body")).toContain("body.a.0");
  });

  it("the default model: what a runtime told no model asks for is what the platform's model proxy lets through", async () => {
    const config = { model: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "credential" }, offlinePaceMs: 0 };
    const runtime = await createLlmClient(config as RuntimeConfig);
    expect(runtime.model).toBe(
      modelUpstream({ OPENAI_API_KEY: "sk-platform", OPENAI_BASE_URL: undefined, OPENAI_MODEL: undefined })
        ?.model,
    );
  });
});
