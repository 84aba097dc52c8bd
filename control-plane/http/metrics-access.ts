import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { errorBody } from "./errors.ts";
import { fromPlatformUser } from "./local-peer.ts";

/**
 * `/metrics` is not for the public: it answers a scraper on this machine running as the platform's own user
 * or root (a direct loopback connection, not one relayed by a trusted proxy, and not a tenant runtime's uid),
 * or one that sends `Authorization: Bearer $WEBSPLAT_METRICS_TOKEN`. Anyone else gets the same 404 as an
 * unknown route.
 */
export function metricsAccess(token: string | undefined): MiddlewareHandler {
  const expected = token ? createHash("sha256").update(token).digest() : null;
  return async (c, next) => {
    const given = /^Bearer\s+(.+)$/i.exec((c.req.header("authorization") ?? "").trim())?.[1];
    const tokenOk =
      expected !== null &&
      given !== undefined &&
      timingSafeEqual(createHash("sha256").update(given).digest(), expected);
    if (tokenOk || (await fromPlatformUser(c))) return await next();
    return c.json(errorBody("not_found", `No route ${c.req.method} ${c.req.path}. See /docs.`), 404);
  };
}
