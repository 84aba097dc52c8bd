import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { html } from "hono/html";
import { serialize } from "hono/utils/cookie";
import { TIERS } from "../../tenant-template/index.ts";
import { publicKeyFromPrivate, verifyOwnerToken } from "../auth/owner-token.ts";
import { clientAddressOf } from "../http/client-address.ts";
import { errorBody } from "../http/errors.ts";
import { TokenBuckets, tooMany } from "../http/rate-limit.ts";
import { tenantHost } from "../http/tenant-host.ts";
import type { Services } from "../platform-services.ts";
import { probeAnswer } from "../probes/index.ts";
import { findTenant, type Tenant } from "../registry/tenants.ts";
import { traceCarrier } from "../tracing.ts";
import { page } from "../web/layout.ts";
import { BodyTooLarge, limitedBody, TENANT_BODY_LIMIT_BYTES } from "./body-limit.ts";
import {
  OWNER_PASS_COOKIE,
  OWNER_PASS_TTL_SECONDS,
  OwnerPasses,
  RUNTIME_SESSION_COOKIE,
} from "./owner-pass.ts";

/** How long a request waits for a runtime that is starting or restarting before a 503. */
const WAKE_TIMEOUT_MS = 15_000;
/** Active tenants are cached this long (changes made here evict at once; other instances' within this). */
const CACHE_MS = 1000;

/** Headers of one connection, not of the request (RFC 9110 §7.6.1), plus what we set ourselves. */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
  "http2-settings",
  "host",
  "accept-encoding",
  "content-length",
];

/** The one path that may wake a sleeping runtime without a session: it is how an owner gets one. */
const SIGN_IN_CALLBACK = "/auth/callback";

/**
 * Host-based gateway (local mode): `<slug>.<base domain>` reaches the tenant's runtime; other hosts fall through
 * to the control plane. Responses stream (SSE passes through unbuffered).
 */
export function gateway(services: Services): MiddlewareHandler {
  const cache = new Map<string, { at: number; tenant: Tenant | null }>();
  // Per client and tenant, tier-aware: one busy tenant cannot take the machine from the others, and one
  // noisy client cannot take a tenant from its owner.
  const limits = new TokenBuckets();
  const passes = new OwnerPasses(services.ownerPrivateKey);
  const ownerPublicKey = publicKeyFromPrivate(services.ownerPrivateKey);
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
    const addressed = tenantHost(c.req.header("host"), services.config.WEBSPLAT_BASE_DOMAIN);
    if (!addressed) return await next();
    const { host, slug } = addressed;
    if (!slug) return notFoundPage(c);
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
    const session = getCookie(c, RUNTIME_SESSION_COOKIE);
    const owner = passes.verify(getCookie(c, OWNER_PASS_COOKIE), slug, session);
    // Owners have a budget of their own: anonymous traffic, however much, cannot lock them out.
    const rate = TIERS[tenant.tier].requestsPerSecond;
    const bucket = owner ? `${slug} owner` : `${slug} ${clientAddressOf(c)}`;
    const retryAfter = limits.take(bucket, { perSecond: rate, burst: rate * 4 });
    if (retryAfter > 0) return tooMany(c, "requests to this WebSplat", retryAfter);
    const body = limitedBody(c.req.raw, TENANT_BODY_LIMIT_BYTES[tenant.tier]);
    if (!body.ok) return tooLarge(c, body.error);
    const runtimes = services.driver.runtimes;
    if (!runtimes) return notFoundPage(c);
    // A sign-in callback wakes the runtime only with a token we signed for this tenant that has not expired
    // (the runtime still checks it is unused): a made-up token is answered here, and nothing wakes.
    const signIn = c.req.path === SIGN_IN_CALLBACK;
    if (signIn && !owner && !verifyOwnerToken(ownerPublicKey, c.req.query("token") ?? "", { slug }).ok) {
      return linkRefusedPage(c, services);
    }
    // Only an owner (or the sign-in that makes one) wakes a sleeping runtime, and only an owner's traffic
    // keeps it awake: anonymous requests cannot defeat scale-to-zero.
    const mayWake = owner || signIn;
    let port = runtimes.route(slug);
    if (port === null && !mayWake) return privatePage(c, services);
    // A runtime that is idle, starting or restarting is waited for: the request is held, not failed.
    port ??= await runtimes.wake(slug, WAKE_TIMEOUT_MS).catch(() => null);
    if (port === null) return unavailablePage(c, tenant);
    const done = mayWake ? runtimes.activity(slug) : () => {};
    c.req.raw.signal.addEventListener("abort", done, { once: true });
    let response = await forward(c, port, host, body.body);
    // A runtime stopped for idleness just as the request was routed refuses the connection: the request never
    // reached it, so once it is back (woken, if this request may wake it) it is sent again.
    const deadline = Date.now() + WAKE_TIMEOUT_MS;
    while (
      response instanceof Unreachable &&
      response.refused &&
      body.body === null &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const next =
        runtimes.route(slug) ??
        (mayWake ? await runtimes.wake(slug, WAKE_TIMEOUT_MS).catch(() => null) : null);
      if (next === null && !mayWake) break;
      if (next !== null) response = await forward(c, next, host, null);
    }
    if (response instanceof Unreachable) {
      done();
      return response.page(c);
    }
    stampOwnerPass(c, response, { slug, passes, secure: services.config.publicUrl.startsWith("https:") });
    if (response.body) return trackBody(response, done);
    done();
    return response;
  };
}

/**
 * A sign-in the runtime accepted (it set a session cookie) earns the owner pass bound to that session; a
 * session the runtime ended or refused takes the pass with it.
 */
function stampOwnerPass(
  c: Context,
  response: Response,
  options: { slug: string; passes: OwnerPasses; secure: boolean },
): void {
  const prefix = `${RUNTIME_SESSION_COOKIE}=`;
  const sessionCookie = response.headers.getSetCookie().find((line) => line.startsWith(prefix));
  const session = sessionCookie?.slice(prefix.length).split(";")[0];
  const passCookie = {
    httpOnly: true,
    sameSite: "Lax" as const,
    secure: options.secure,
    path: "/",
  };
  if (session) {
    const pass = options.passes.issue(options.slug, decodeURIComponent(session));
    response.headers.append(
      "set-cookie",
      serialize(OWNER_PASS_COOKIE, pass, { ...passCookie, maxAge: OWNER_PASS_TTL_SECONDS }),
    );
  } else if (sessionCookie !== undefined || (response.status === 401 && getCookie(c, OWNER_PASS_COOKIE))) {
    response.headers.append("set-cookie", serialize(OWNER_PASS_COOKIE, "", { ...passCookie, maxAge: 0 }));
  }
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

async function forward(
  c: Context,
  port: number,
  host: string,
  body: ReadableStream<Uint8Array> | null,
): Promise<Response | Unreachable> {
  const incoming = c.req.raw;
  const url = new URL(incoming.url);
  const headers = new Headers(incoming.headers);
  // Headers the client named in Connection are hop-by-hop too.
  for (const name of (incoming.headers.get("connection") ?? "").split(","))
    if (name.trim()) headers.delete(name.trim());
  for (const name of HOP_BY_HOP) headers.delete(name);
  headers.set("x-forwarded-host", incoming.headers.get("host") ?? host);
  headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
  // The runtime logs under the same request id (hono's requestId, mounted before the gateway).
  headers.set("x-request-id", c.get("requestId"));
  for (const [name, value] of Object.entries(traceCarrier() ?? {})) headers.set(name, value);
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD" && body !== null;
  try {
    const response = await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
      method: incoming.method,
      headers,
      body: hasBody ? body : undefined,
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
    const cause = (error as { cause?: unknown }).cause ?? error;
    if (cause instanceof BodyTooLarge) return tooLarge(c, cause);
    return new Unreachable(
      cause instanceof Error ? cause.message : String(cause),
      (cause as { code?: unknown }).code === "ECONNREFUSED",
    );
  }
}

/** The runtime did not answer (it crashed, or was stopping): said as a page once retrying is over. */
class Unreachable {
  readonly reason: string;
  /** Nothing was sent: the connection itself was refused. */
  readonly refused: boolean;
  constructor(reason: string, refused: boolean) {
    this.reason = reason;
    this.refused = refused;
  }

  page(c: Context) {
    return c.html(
      page({
        title: "Temporarily unavailable",
        body: html`<h1>Temporarily unavailable</h1><p>Your WebSplat did not answer (${this.reason}). It restarts by itself; reload in a few seconds.</p>`,
      }),
      503,
      { "retry-after": "5" },
    );
  }
}

function tooLarge(c: Context, error: BodyTooLarge) {
  c.header("connection", "close");
  return c.json(errorBody("payload_too_large", `${error.message} Send less at once.`), 413);
}

/**
 * What a visitor without an owner session sees while the runtime sleeps: a page the gateway answers itself,
 * so the runtime stays asleep. APIs get the runtime's JSON shape.
 */
function privatePage(c: Context, services: Services) {
  const signIn = `${services.config.publicUrl}/signin`;
  const wantsHtml = !c.req.path.startsWith("/api/") && (c.req.header("accept") ?? "").includes("text/html");
  if (!wantsHtml) {
    return c.json(
      errorBody("not_signed_in", `This WebSplat is private. Its owner signs in with a link from ${signIn}.`),
      401,
    );
  }
  return c.html(
    page({
      title: "Private WebSplat",
      body: html`<h1>This WebSplat is private</h1><p>Only its owner can open it. If that is you, <a href="${signIn}">get a sign-in link by email</a>.</p>`,
    }),
    401,
  );
}

/** A sign-in link that is not ours, is for another WebSplat, or has expired. */
function linkRefusedPage(c: Context, services: Services) {
  const signIn = `${services.config.publicUrl}/signin`;
  c.header("cache-control", "no-store");
  return c.html(
    page({
      title: "Sign-in link not valid",
      body: html`<h1>This sign-in link is not valid</h1><p>It has expired, was cut short, or is for another WebSplat. <a href="${signIn}">Get a new sign-in link by email</a>.</p>`,
    }),
    401,
  );
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
