import { createMiddleware } from "hono/factory";
import { tenantPlatformTokenMatches } from "../../stacks/index.ts";
import { errorBody } from "../http/errors.ts";

/**
 * The tenant API (`/api/billing/portal`, `/api/account/email`) is called by a tenant's runtime with its own
 * credential (`Authorization: Bearer <WEBSPLAT_PLATFORM_TOKEN>`, `X-WebSplat-Tenant: <slug>`), never the
 * admin token: a runtime can act for its own tenant only.
 */
export function tenantApiAuth(platformSecret: string) {
  return createMiddleware<{ Variables: { tenantSlug: string } }>(async (c, next) => {
    const slug = c.req.header("x-websplat-tenant") ?? "";
    const token = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    if (
      !/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/.test(slug) ||
      !tenantPlatformTokenMatches(platformSecret, slug, token)
    ) {
      return c.json(
        errorBody(
          "unauthorized",
          "This route takes a tenant's own credential and its X-WebSplat-Tenant header.",
        ),
        401,
      );
    }
    c.set("tenantSlug", slug);
    await next();
  });
}
