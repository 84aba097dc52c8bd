import { createHmac, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { errorBody } from "./http/errors.ts";

/**
 * A runtime's credential for the platform's tenant API (`/api/tenant/*`): an HMAC of its slug under a key only
 * the control plane holds, so it names one tenant, cannot be turned into another's, and is never the admin
 * token. Given to the runtime by the driver, with the platform's URL.
 */
export function tenantApiToken(key: string, slug: string): string {
  return createHmac("sha256", key).update(`websplat-tenant-api:${slug}`).digest("base64url");
}

export const TENANT_HEADER = "x-websplat-tenant";

/** Checks `Authorization: Bearer <token>` against `x-websplat-tenant`; the handler reads the slug with `c.get`. */
export function tenantAuth(key: string): MiddlewareHandler<{ Variables: { tenantSlug: string } }> {
  return async (c, next) => {
    const slug = c.req.header(TENANT_HEADER) ?? "";
    const token = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    const expected = Buffer.from(tenantApiToken(key, slug));
    const given = Buffer.from(token);
    if (!slug || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return c.json(
        errorBody(
          "unauthorized",
          `Send the runtime's platform token as a bearer token, with ${TENANT_HEADER}.`,
        ),
        401,
      );
    }
    c.set("tenantSlug", slug);
    await next();
  };
}
