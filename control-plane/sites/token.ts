import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { SLUG_PATTERN } from "../../tenant-template/index.ts";

/**
 * The credential a tenant's runtime publishes with: `wsp_<slug>_<mac>`, derived from the platform secret, so
 * it names exactly one tenant, needs no table, and is handed to the runtime like its database URL. It is
 * never the admin token and opens only the tenant API of its own tenant.
 */
export function siteToken(secret: string, slug: string): string {
  return `wsp_${slug}_${mac(secret, slug)}`;
}

/** The tenant a site token belongs to, or null when it is not one of ours. */
export function tenantOfSiteToken(secret: string, token: string): string | null {
  const match = /^wsp_([a-z0-9-]+)_([0-9a-f]{64})$/.exec(token);
  if (!match || !SLUG_PATTERN.test(match[1]!)) return null;
  const expected = Buffer.from(mac(secret, match[1]!), "hex");
  const given = Buffer.from(match[2]!, "hex");
  return timingSafeEqual(expected, given) ? match[1]! : null;
}

function mac(secret: string, slug: string): string {
  return createHmac("sha256", secret).update(`tenant-sites:${slug}`).digest("hex");
}

/** The key site tokens are derived with: from the owner signing key, which every control-plane replica shares. */
export function siteTokenSecret(ownerPrivateKey: string): string {
  return createHash("sha256").update(`websplat-sites\n${ownerPrivateKey}`).digest("hex");
}
