import type { Context, MiddlewareHandler } from "hono";
import { html } from "hono/html";
import { LocalDriver } from "../../stacks/index.ts";
import { TIERS } from "../../tenant-template/index.ts";
import { TokenBuckets, tooMany } from "../http/rate-limit.ts";
import { probeAnswer } from "../probes/index.ts";
import { findTenant, type Tenant } from "../registry/tenants.ts";
import type { Services } from "../services.ts";
import { traceCarrier } from "../tracing.ts";
import { page } from "../web/layout.ts";

/** How long a request waits for a runtime that is starting or restarting before a 503. */
const WAKE_TIMEOUT_MS = 15_000;
/** Active tenants are cached this long (changes made here evict at once; other instances' within this). */
const CACHE_MS = 1000;

const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "accept-encoding",
];

/**
 * Host-based gateway (local mode): `<slug>.<base domain>` reaches the tenant's runtime; other hosts fall through
 * to the control plane. Responses stream (SSE passes through unbuffered).
 */
export function gateway(services: Services): MiddlewareHandler {
  const suffix = `.${services.config.WEBSPLAT_BASE_DOMAIN}`;
  const cache = new Map<string, { at: number; tenant: Tenant | null }>();
  // Per tenant and tier-aware: one busy tenant cannot take the machine from the others.
  const limits = new TokenBuckets();
  services.operations.onAnyTenant((slug) => cache.delete(slug));
  const lookup = async (slug: string) => {
    const hit = cache.get(slug);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.tenant;
    const tenant = await findTenant(services.db, slug);
    // Only the steady state is cached: a tenant being bought or provisioned is read fresh, so its
    // address answers the moment it is ready.
    if (tenant?.status === "active" && tenant.desired === "active") {
      if (cache.size > 10_000) cache.clear();
      cache.set(slug, { at: Date.now(), tenant });
    }
    return tenant;
  };
  return async (c, next) => {
    const host = (c.req.header("host") ?? "").toLowerCase().replace(/:\d+$/, "");
    if (!host.endsWith(suffix)) return await next();
    const slug = host.slice(0, -suffix.length);
    if (slug.includes(".")) return notFoundPage(c);
    const tenant = await lookup(slug);
    if (
      !tenant ||
      tenant.status === "deleted" ||
      tenant.status === "awaiting_payment" ||
      tenant.desired === "deleted"
    ) {
      return notFoundPage(c);
    }
    if (tenant.desired === "suspended" || tenant.status === "suspended") return suspendedPage(c, tenant);
    // The control plane's own probes: answered from the runtime's readiness, never waking it or counting as use.
    const probe = probeAnswer(c, services.driver, slug);
    if (probe) return await probe;
    const rate = TIERS[tenant.tier].requestsPerSecond;
    const retryAfter = limits.take(slug, { perSecond: rate, burst: rate * 4 });
    if (retryAfter > 0) return tooMany(c, "requests to this WebSplat", retryAfter);
    const driver = services.driver;
    if (!(driver instanceof LocalDriver)) return notFoundPage(c);
    // A runtime that is idle, starting or restarting is waited for: the request is held, not failed.
    const port = driver.route(slug) ?? (await driver.wake(slug, WAKE_TIMEOUT_MS).catch(() => null));
    if (port === null) return unavailablePage(c, tenant);
    const done = driver.supervisor.activity(slug);
    c.req.raw.signal.addEventListener("abort", done, { once: true });
    const response = await forward(c, port, host);
    if (response.body) return trackBody(response, done);
    done();
    return response;
  };
}

/** Counts the runtime as busy until the body (an SSE stream, say) has been sent or abandoned. */
function trackBody(response: Response, done: () => void): Response {
  const body = response.body!.pipeThrough(
    new TransformStream({
      flush: () => done(),
    }),
  );
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

async function forward(c: Context, port: number, host: string): Promise<Response> {
  const incoming = c.req.raw;
  const url = new URL(incoming.url);
  const headers = new Headers(incoming.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  headers.set("x-forwarded-host", incoming.headers.get("host") ?? host);
  headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
  // The runtime logs under the same request id (hono's requestId, mounted before the gateway).
  headers.set("x-request-id", c.get("requestId"));
  for (const [name, value] of Object.entries(traceCarrier() ?? {})) headers.set(name, value);
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
  try {
    const response = await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
      method: incoming.method,
      headers,
      body: hasBody ? incoming.body : undefined,
      redirect: "manual",
      signal: incoming.signal,
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
    const out = new Headers(response.headers);
    out.delete("transfer-encoding");
    out.delete("connection");
    out.delete("keep-alive");
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: out,
    });
  } catch (error) {
    if (incoming.signal.aborted) return new Response(null, { status: 499 });
    return c.html(
      page({
        title: "Temporarily unavailable",
        body: html`<h1>Temporarily unavailable</h1><p>Your WebSplat did not answer (${(error as Error).message}). It restarts by itself; reload in a few seconds.</p>`,
      }),
      503,
      { "retry-after": "5" },
    );
  }
}

function notFoundPage(c: Context) {
  return c.html(
    page({
      title: "Not found",
      body: html`<h1>There is no WebSplat here</h1><p>This address does not belong to any WebSplat. <a href="${"/"}">Create yours</a>.</p>`,
    }),
    404,
  );
}

function suspendedPage(c: Context, tenant: Tenant) {
  const billing = tenant.deleteAfter !== null || tenant.grace;
  return c.html(
    page({
      title: "Paused",
      body: html`<h1>This WebSplat is paused</h1>
<p>${billing ? "Its subscription has ended or is unpaid. The owner can renew it to bring everything back: nothing has been lost." : "It has been suspended by an administrator. Its data is kept."}</p>
${tenant.deleteAfter ? html`<p class="muted">Its data is kept until ${tenant.deleteAfter.toISOString().slice(0, 10)}.</p>` : ""}`,
    }),
    billing ? 402 : 503,
  );
}

function unavailablePage(c: Context, tenant: Tenant) {
  return c.html(
    page({
      title: "Starting",
      body: html`<h1>${tenant.status === "provisioning" ? "Your WebSplat is being set up" : "Your WebSplat is restarting"}</h1><p>Reload in a few seconds.</p>`,
    }),
    503,
    { "retry-after": "5" },
  );
}
