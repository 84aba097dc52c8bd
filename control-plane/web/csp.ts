import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

type Policy = NonNullable<NonNullable<Parameters<typeof secureHeaders>[0]>["contentSecurityPolicy"]>;

/** Every control-plane page loads only our own files, posts forms only to us, and is never framed. */
export const PAGE_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} satisfies Policy;

/**
 * The signup page's one difference: its submission ends at Stripe Checkout (the control plane answers
 * with a redirect there), and under CSP Level 3 `form-action` governs the redirects after a submission too.
 */
export const SIGNUP_POLICY = {
  ...PAGE_POLICY,
  formAction: ["'self'", "https://checkout.stripe.com"],
} satisfies Policy;

/** Sets the page headers; a page that already chose its policy (the signup page) keeps it. */
export function pageHeaders(policy: Policy, options: { hsts: boolean } = { hsts: false }): MiddlewareHandler {
  return secureHeaders({
    strictTransportSecurity: options.hsts ? "max-age=63072000; includeSubDomains" : false,
    contentSecurityPolicy: policy,
    overwrite: false,
  });
}
