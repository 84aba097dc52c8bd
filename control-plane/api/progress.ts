import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { SLUG_PATTERN } from "../../tenant-template/index.ts";
import { setWelcomeCookie, welcomeCookie } from "../auth/welcome-cookie.ts";
import { apiRoute, ErrorSchema } from "../http/api-route.ts";
import { ApiError } from "../http/errors.ts";
import { ownerLink, type Services, tenantUrl } from "../platform-services.ts";
import { audit } from "../registry/audit.ts";
import { operationView } from "../registry/operations.ts";
import { takeWelcomeLink, welcomeKeyMatches } from "../registry/reservations.ts";
import { findTenant, type Tenant } from "../registry/tenants.ts";

const Params = z.object({ slug: z.string().regex(SLUG_PATTERN, "not a tenant slug") });
/** The welcome key: from the HttpOnly cookie the signup set, or given explicitly by a script. */
const Key = z.object({ key: z.string().min(1).max(100).optional() });

/**
 * What the welcome page reads: the purchase's progress, its live log, the sign-in link once ready.
 * The welcome key stands in for a login: short-lived, one checkout's own, good for one sign-in link. A wrong
 * or expired key looks exactly like an unknown tenant.
 */
export function progressRoutes(app: OpenAPIHono, services: Services) {
  const authorise = async (c: Context, slug: string, given: string | undefined): Promise<Tenant> => {
    const key = given ?? welcomeCookie(c, slug);
    const tenant = await findTenant(services.db, slug);
    if (!tenant || !welcomeKeyMatches(tenant, key)) {
      throw new ApiError(
        404,
        "not_found",
        "No purchase matches this link. Open the link from your checkout again.",
      );
    }
    return tenant;
  };
  const snapshot = async (tenant: Tenant) => {
    const operation = await services.operations.latest(tenant.slug);
    return {
      slug: tenant.slug,
      tier: tenant.tier,
      status: tenant.status,
      desired: tenant.desired,
      url: tenantUrl(services, tenant.slug),
      grace: tenant.grace,
      lastError: tenant.lastError ?? null,
      operation: operation ? operationView(operation, await services.operations.lines(operation.id)) : null,
    };
  };

  apiRoute(
    app,
    {
      method: "get",
      path: "/api/tenants/:slug/progress",
      summary: "Provisioning progress of a purchase",
      tags: ["signup"],
      params: Params,
      query: Key,
      responses: {
        200: { description: "Progress", schema: z.record(z.string(), z.unknown()) },
        404: { description: "Unknown purchase", schema: ErrorSchema },
      },
    },
    async (c, { params, query }) => c.json(await snapshot(await authorise(c, params.slug, query.key)), 200),
  );

  apiRoute(
    app,
    {
      method: "get",
      path: "/api/tenants/:slug/progress/events",
      summary: "Provisioning progress as Server-Sent Events (status, log), closed once active or failed",
      tags: ["signup"],
      params: Params,
      query: Key,
      responses: {
        200: { description: "SSE stream", schema: z.string(), contentType: "text/event-stream" },
        404: { description: "Unknown purchase", schema: ErrorSchema },
      },
    },
    async (c, { params, query }) => {
      await authorise(c, params.slug, query.key);
      return streamSSE(c, async (stream) => {
        let wake: (() => void) | null = null;
        const nudge = () => wake?.();
        const offTenant = services.operations.onTenant(params.slug, nudge);
        let offOperation: (() => void) | null = null;
        let followed: string | null = null;
        let lastSeq = 0;
        let lastStatus = "";
        stream.onAbort(nudge);
        try {
          while (!stream.aborted) {
            const tenant = await findTenant(services.db, params.slug);
            if (!tenant) break;
            const operation = await services.operations.latest(params.slug);
            if (operation && operation.id !== followed) {
              offOperation?.();
              offOperation = services.operations.subscribe(operation.id, nudge, nudge);
              followed = operation.id;
              lastSeq = 0;
            }
            if (followed) {
              for (const line of await services.operations.lines(followed, lastSeq)) {
                await stream.writeSSE({
                  event: "log",
                  data: JSON.stringify({ ...line, operationId: followed }),
                });
                lastSeq = line.seq;
              }
            }
            const status = JSON.stringify({ status: tenant.status, lastError: tenant.lastError ?? null });
            if (status !== lastStatus) {
              await stream.writeSSE({ event: "status", data: status });
              lastStatus = status;
            }
            const settled = tenant.status === "active" || tenant.status === "failed";
            const open = operation && (operation.status === "queued" || operation.status === "running");
            if (settled && !open) break;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 1000);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = null;
          }
        } finally {
          offTenant();
          offOperation?.();
        }
      });
    },
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/api/tenants/:slug/owner-link",
      summary: "One-time sign-in link for the buyer, once the tenant is active",
      tags: ["signup"],
      params: Params,
      body: Key,
      responses: {
        200: { description: "The link", schema: z.object({ url: z.string(), expiresAt: z.string() }) },
        404: { description: "Unknown purchase", schema: ErrorSchema },
        409: { description: "Not ready yet", schema: ErrorSchema },
        410: { description: "The one link of this purchase was already issued", schema: ErrorSchema },
      },
    },
    async (c, { params, body }) => {
      const tenant = await authorise(c, params.slug, body.key);
      if (tenant.status !== "active") {
        throw new ApiError(
          409,
          "not_ready",
          `Your WebSplat is ${tenant.status.replace("_", " ")}; the link is available once it is active.`,
        );
      }
      if (!(await takeWelcomeLink(services.db, tenant.slug))) {
        throw new ApiError(
          410,
          "link_already_issued",
          `This purchase's sign-in link was already issued, and it works once. To sign in again, ask for a link by email at ${services.config.publicUrl}/signin.`,
        );
      }
      const link = ownerLink(services, tenant);
      await audit(services, "owner", "tenant.owner_link", tenant.slug, { via: "welcome page" });
      return c.json(link, 200);
    },
  );

  apiRoute(
    app,
    {
      method: "post",
      path: "/api/tenants/:slug/retry",
      summary: "Try the provisioning of a failed purchase again",
      tags: ["signup"],
      params: Params,
      body: Key,
      responses: {
        202: { description: "Retry queued", schema: z.object({ operationId: z.string() }) },
        404: { description: "Unknown purchase", schema: ErrorSchema },
      },
    },
    async (c, { params, body }) => {
      const tenant = await authorise(c, params.slug, body.key);
      const operationId = await services.reconciler.request(tenant.slug, "retry from the welcome page");
      return c.json({ operationId }, 202);
    },
  );
}

/**
 * `GET /welcome/:slug?key=…` (where checkout returns): the key moves into the HttpOnly cookie and the browser is
 * sent on to the same page without it, so the key leaves the address bar, the history and any Referer.
 */
export function welcomeKeyExchange(app: OpenAPIHono, services: Services) {
  app.get("/welcome/:slug", async (c, next) => {
    const key = c.req.query("key");
    const slug = c.req.param("slug");
    if (!key || !SLUG_PATTERN.test(slug) || key.length > 100) return await next();
    const tenant = await findTenant(services.db, slug);
    if (tenant && welcomeKeyMatches(tenant, key)) {
      setWelcomeCookie(c, {
        slug,
        key,
        expiresAt: tenant.welcomeKeyExpiresAt!,
        secure: services.config.publicUrl.startsWith("https:"),
      });
    }
    c.header("referrer-policy", "no-referrer");
    return c.redirect(`/welcome/${slug}`, 303);
  });
}
