import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { z } from "zod";

/** Claims of the control plane's one-time owner sign-in token (compact JWT, EdDSA / Ed25519). */
const claimsSchema = z.object({
  iss: z.literal("websplat"),
  aud: z.string(),
  sub: z.string(),
  jti: z.string().min(1),
  iat: z.number(),
  exp: z.number(),
});
export type OwnerTokenClaims = z.infer<typeof claimsSchema>;

/** The longest sign-in link the runtime accepts (`exp - iat`); the control plane issues 15-minute ones. */
export const MAX_TOKEN_LIFETIME_SECONDS = 15 * 60;
/** Clock skew tolerated between the control plane and this runtime. */
const CLOCK_SKEW_SECONDS = 60;

export type TokenCheck = { ok: true; claims: OwnerTokenClaims } | { ok: false; reason: string };

export function ownerKey(publicKeyPem: string): KeyObject {
  return createPublicKey(publicKeyPem);
}

/** Checks signature, issuer, audience and expiry; whether `jti` was used before is the caller's check. */
export function verifyOwnerToken(
  key: KeyObject,
  token: string,
  expected: { tenant: string; now?: number },
): TokenCheck {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "the link is malformed" };
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const head = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
    if (head?.alg !== "EdDSA")
      return { ok: false, reason: "the link is signed with an unexpected algorithm" };
    const signed = Buffer.from(`${header}.${payload}`);
    if (!verify(null, signed, key, Buffer.from(signature, "base64url"))) {
      return { ok: false, reason: "the link's signature is not valid" };
    }
    const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    if (!parsed.success) return { ok: false, reason: "the link is malformed" };
    const claims = parsed.data;
    const now = Math.floor((expected.now ?? Date.now()) / 1000);
    if (claims.aud !== expected.tenant) return { ok: false, reason: "the link was issued for another site" };
    if (claims.exp < now) return { ok: false, reason: "the link has expired" };
    // A leaked signing key or a buggy issuer must not mint long-lived links.
    if (claims.exp - claims.iat > MAX_TOKEN_LIFETIME_SECONDS || claims.iat > now + CLOCK_SKEW_SECONDS)
      return { ok: false, reason: "the link's lifetime is longer than allowed" };
    return { ok: true, claims };
  } catch {
    return { ok: false, reason: "the link is malformed" };
  }
}
