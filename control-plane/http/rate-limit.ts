import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import { errorBody } from "./errors.ts";

export interface RateLimit {
  /** Requests allowed in a burst. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
}

/**
 * Token bucket per client address, in memory (one control-plane process serves one address space;
 * behind the ingress, each replica limits its share). Over the limit: 429 with Retry-After.
 */
export function rateLimit(name: string, limit: RateLimit): MiddlewareHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    const key = clientAddress(c);
    const now = Date.now();
    const bucket = buckets.get(key) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
      c.header("Retry-After", String(retryAfter));
      return c.json(
        errorBody("rate_limited", `Too many ${name} requests; try again in ${retryAfter} s.`),
        429,
      );
    }
    bucket.tokens -= 1;
    if (buckets.size > 100_000) buckets.clear();
    buckets.set(key, bucket);
    await next();
  };
}

function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
