import type { Context } from "hono";
import type { z } from "zod";
import { RuntimeError } from "./errors.ts";

/** Parses a JSON body with its schema; the first problem becomes a 400 the caller can act on. */
export async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const raw = await c.req.json().catch(() => {
    throw new RuntimeError("invalid_json", "The request body must be JSON.");
  });
  const problem = unstorableText(raw);
  if (problem) throw new RuntimeError("invalid_text", `${problem} Remove it and send again.`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RuntimeError("invalid_request", `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text Postgres cannot store (a NUL) or that is not Unicode (a lone surrogate), anywhere in a JSON value. */
export function unstorableText(value: unknown, path = "body"): string | null {
  if (typeof value === "string") {
    if (value.includes("\0")) return `${path} contains a NUL character.`;
    if (LONE_SURROGATE.test(value)) return `${path} contains a broken Unicode character (a lone surrogate).`;
    return null;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = unstorableText(item, `${path}.${index}`);
      if (problem) return problem;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorableText(key, path) ?? unstorableText(item, `${path}.${key}`);
      if (problem) return problem;
    }
  }
  return null;
}
