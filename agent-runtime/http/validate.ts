import type { Context } from "hono";
import type { z } from "zod";
import { RuntimeError } from "./errors.ts";

/** Parses a JSON body with its schema; the first problem becomes a 400 the caller can act on. */
export async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const raw = await c.req.json().catch(() => {
    throw new RuntimeError("invalid_json", "The request body must be JSON.");
  });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RuntimeError("invalid_request", `${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data;
}
