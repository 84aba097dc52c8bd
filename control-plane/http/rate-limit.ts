import type { Context, MiddlewareHandler } from "hono";
import { clientAddressOf } from "./client-address.ts";
import { errorBody } from "./errors.ts";

export interface RateLimit {
  /** Requests allowed in a burst. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
}

/**
 * Token bucket per client address (as `clientAddress` resolved it), in memory (one control-plane process serves one address space;
 * behind the ingress, each replica limits its share). Over the limit: 429 with Retry-After.
 */
export function rateLimit(name: string, limit: RateLimit): MiddlewareHandler {
  const buckets = new TokenBuckets();
  return async (c, next) => {
    const retryAfter = buckets.take(clientAddressOf(c), limit);
    if (retryAfter > 0) return tooMany(c, name, retryAfter);
    await next();
  };
}

/** Token buckets by key; `take` answers 0 when a request may pass, else the seconds to wait. */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** Like `take`, without spending: 0 when a request could pass now, else the seconds to wait. */
  peek(key: string, limit: RateLimit): number {
    const bucket = this.#buckets.get(key);
    if (!bucket) return 0;
    const tokens = Math.min(limit.burst, bucket.tokens + ((Date.now() - bucket.at) / 1000) * limit.perSecond);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / limit.perSecond));
  }

  take(key: string, limit: RateLimit): number {
    const now = Date.now();
    const bucket = this.#buckets.get(key) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
    bucket.tokens -= 1;
    if (this.#buckets.size > 100_000) this.#buckets.clear();
    this.#buckets.set(key, bucket);
    return 0;
  }
}

export function tooMany(c: Context, name: string, retryAfter: number) {
  c.header("Retry-After", String(retryAfter));
  return c.json(errorBody("rate_limited", `Too many ${name}; try again in ${retryAfter} s.`), 429);
}
