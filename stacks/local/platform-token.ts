import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * A tenant's credential for the platform's tenant API (billing portal, owner email change), handed to its
 * runtime as WEBSPLAT_PLATFORM_TOKEN. Derived from the platform secret, so the control plane checks it
 * without storing it; it names one tenant and is worthless for any other.
 */
export function tenantPlatformToken(secret: string, slug: string): string {
  return createHmac("sha256", secret).update(`tenant-api:${slug}`).digest("base64url");
}

export function tenantPlatformTokenMatches(secret: string, slug: string, presented: string): boolean {
  const expected = Buffer.from(tenantPlatformToken(secret, slug));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
