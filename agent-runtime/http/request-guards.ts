import type { MiddlewareHandler } from "hono";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const refuse = (code: string, message: string, status: 400 | 403 | 415) =>
  Response.json({ error: { code, message } }, { status });

/** A path with broken percent-encoding (`%E0%A4%A`) is the caller's mistake: a 400, never a URIError's 500. */
export function wellFormedPath(): MiddlewareHandler {
  return async (c, next) => {
    try {
      decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      return refuse("malformed_path", "The address is not valid: it has a broken %-escape.", 400);
    }
    await next();
  };
}

/**
 * CSRF defence beyond SameSite=Lax (every `*.websp.lat` tenant is same-site with the others): a state-changing
 * request must come from this tenant's own pages. A browser says where it came from in `Sec-Fetch-Site` and
 * `Origin`; either one naming another site is refused. The API also takes only `application/json`, which a
 * cross-site form cannot send without a CORS preflight we never answer.
 */
export function sameOriginWrites(publicUrl: string): MiddlewareHandler {
  const configured = new URL(publicUrl).origin;
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return await next();
    const site = c.req.header("sec-fetch-site");
    if (site && site !== "same-origin" && site !== "none") {
      return refuse("cross_site_request", "Changes can only be made from your WebSplat's own pages.", 403);
    }
    const origin = c.req.header("origin");
    if (origin && origin !== configured && origin !== requestOrigin(c.req.raw)) {
      return refuse("cross_site_request", "Changes can only be made from your WebSplat's own pages.", 403);
    }
    // A body must be JSON (no form or text/plain body a cross-site page could send); a bodiless call
    // (stop, publish, unpublish) carries nothing to parse and is covered by the origin checks above.
    if (c.req.path.startsWith("/api/") && hasBody(c.req.raw)) {
      const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== "application/json") {
        return refuse(
          "unsupported_media_type",
          "Send the request body as JSON (Content-Type: application/json).",
          415,
        );
      }
    }
    await next();
  };
}

function hasBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  return request.headers.has("transfer-encoding") || (length !== null && length.trim() !== "0");
}

/** The origin the request was addressed to, as the gateway or ingress forwarded it. */
function requestOrigin(request: Request): string | null {
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (!host) return null;
  const proto = request.headers.get("x-forwarded-proto") ?? new URL(request.url).protocol.replace(":", "");
  return `${proto}://${host}`;
}

/** The builder page loads only its own script and styles; it may frame only its own preview, and nobody frames it. */
export const BUILDER_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** `nosniff` and no Referer to other sites on everything the runtime answers; pages that set their own policy keep it. */
export function protectiveHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set("x-content-type-options", "nosniff");
    // `same-origin`, not `no-referrer`: other sites still learn nothing, and the builder's own form posts keep a
    // real Origin (no-referrer turns it into `null`, which the same-origin check must refuse).
    if (!c.res.headers.has("referrer-policy")) c.res.headers.set("referrer-policy", "same-origin");
  };
}
