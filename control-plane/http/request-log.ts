import type { MiddlewareHandler } from "hono";
import type { RequestIdVariables } from "hono/request-id";
import type { Logger } from "pino";
import { withLogContext } from "../logging.ts";
import { tenantHost } from "./tenant-host.ts";

/** Probes are scraped every few seconds: logged only at debug. */
const QUIET_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** Paths that name a tenant in their first segment after the prefix. */
const TENANT_PATH =
  /^\/(?:admin\/tenants|api\/tenants|api\/slugs|welcome)\/([a-z][a-z0-9-]{1,30}[a-z0-9])(?:\/|$)/;

/**
 * Gives the request a log context (the id from hono's `requestId`, which must run first, and the tenant
 * when the host or path names one) that everything it starts inherits, and logs one line per request.
 * The query string is left out: sign-in links carry a token there.
 */
export function requestLog(
  logger: Logger,
  baseDomain: string,
): MiddlewareHandler<{ Variables: RequestIdVariables }> {
  return async (c, next) => {
    const started = performance.now();
    const addressed = tenantHost(c.req.header("host"), baseDomain);
    const tenant = addressed?.slug ?? TENANT_PATH.exec(c.req.path)?.[1];
    await withLogContext({ requestId: c.get("requestId"), tenant }, async () => {
      await next();
      const level = QUIET_PATHS.has(c.req.path) && c.res.status < 400 ? "debug" : "info";
      logger[level](
        {
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round(performance.now() - started),
          ...(addressed ? { gateway: true } : {}),
        },
        "request",
      );
    });
  };
}
