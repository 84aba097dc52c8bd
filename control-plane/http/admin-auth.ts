import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { Database } from "../db/client.ts";
import { findLiveAdminToken } from "../registry/admin-tokens.ts";
import { clientAddressOf } from "./client-address.ts";
import { errorBody } from "./errors.ts";
import { type RateLimit, TokenBuckets, tooMany } from "./rate-limit.ts";

/** 20 wrong tokens at once, then one every 5 s: nothing for a person who mistyped, a wall for a guesser. */
const WRONG_TOKEN_LIMIT: RateLimit = { burst: 20, perSecond: 0.2 };

declare module "hono" {
  interface ContextVariableMap {
    /** Who called an admin route, for the audit log: `bootstrap` or `token:<name>`. */
    adminActor: string;
  }
}

/**
 * `Authorization: Bearer <token>`: the bootstrap token (compared in constant time, hashes of equal length)
 * or a live token of the admin_tokens table (looked up by its SHA-256).
 */
export function adminAuth(bootstrapToken: string, db: Database): MiddlewareHandler {
  const expected = createHash("sha256").update(bootstrapToken).digest();
  // Wrong guesses per client: a burst for typos, then one every few seconds; a locked-out client waits.
  const failures = new TokenBuckets();
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    const given = match?.[1] ?? "";
    const client = clientAddressOf(c);
    if (match && failures.peek(client, WRONG_TOKEN_LIMIT) > 0) {
      return tooMany(c, "wrong admin tokens from your address", failures.peek(client, WRONG_TOKEN_LIMIT));
    }
    const digest = createHash("sha256").update(given).digest();
    if (match && timingSafeEqual(digest, expected)) {
      c.set("adminActor", "bootstrap");
      return await next();
    }
    const stored = match ? await findLiveAdminToken(db, given) : null;
    if (stored) {
      c.set("adminActor", `token:${stored.name}`);
      return await next();
    }
    if (match) failures.take(client, WRONG_TOKEN_LIMIT);
    c.header("WWW-Authenticate", 'Bearer realm="websplat-admin"');
    return c.json(
      errorBody(
        "unauthorized",
        "Send Authorization: Bearer <admin token> (printed at start, kept in the data dir as admin-token, or created with websplat tokens create).",
      ),
      401,
    );
  };
}
