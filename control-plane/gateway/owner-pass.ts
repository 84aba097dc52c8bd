import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/** The runtime's session cookie (agent-runtime/auth/sessions.ts): the pass is bound to its value. */
export const RUNTIME_SESSION_COOKIE = "websplat_session";
/** The gateway's own cookie on a tenant host: proof, checkable without the runtime, of a sign-in there. */
export const OWNER_PASS_COOKIE = "websplat_pass";
/** As long as the runtime's session lasts. */
export const OWNER_PASS_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Owner passes: when the gateway relays a successful sign-in (`/auth/callback` answered with a session
 * cookie), it adds a pass `<slug>.<exp>.<session digest>.<HMAC>` signed with a key derived from the
 * control plane's owner-signing key. A request with a valid pass, together with the very session cookie it
 * was issued for, is an owner's: it may wake a sleeping runtime and spends the owners' own rate budget.
 * The runtime still checks the session itself; the pass only decides what the gateway lets through.
 */
export class OwnerPasses {
  readonly #key: Buffer;

  constructor(ownerSigningKeyPem: string) {
    this.#key = Buffer.from(hkdfSync("sha256", ownerSigningKeyPem, "", "websplat gateway owner pass", 32));
  }

  issue(slug: string, session: string, now = Date.now()): string {
    const exp = Math.floor(now / 1000) + OWNER_PASS_TTL_SECONDS;
    const body = `${slug}.${exp}.${digest(session)}`;
    return `${body}.${this.#sign(body)}`;
  }

  /** True when `pass` was issued by us for `slug` and `session`, and has not expired. */
  verify(pass: string | undefined, slug: string, session: string | undefined, now = Date.now()): boolean {
    if (!pass || !session || pass.length > 300) return false;
    const parts = pass.split(".");
    if (parts.length !== 4) return false;
    const [passSlug, exp, sessionDigest, signature] = parts as [string, string, string, string];
    const expected = Buffer.from(this.#sign(`${passSlug}.${exp}.${sessionDigest}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return passSlug === slug && Number(exp) * 1000 > now && sessionDigest === digest(session);
  }

  #sign(body: string): string {
    return createHmac("sha256", this.#key).update(body).digest("base64url");
  }
}

function digest(session: string): string {
  return createHash("sha256").update(session).digest("base64url").slice(0, 22);
}
