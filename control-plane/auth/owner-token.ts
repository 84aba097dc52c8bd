import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
} from "node:crypto";

/**
 * Owner sign-in tokens: compact JWTs signed with Ed25519 (`alg: EdDSA`). The control plane holds the
 * private key; each tenant runtime gets only the public key (PEM, SPKI) and accepts a token once.
 */
export interface OwnerTokenClaims {
  iss: "websplat";
  /** The tenant's slug: a token for one tenant is refused by every other. */
  aud: string;
  /** The owner's email. */
  sub: string;
  /** Unique id; the runtime records it so the link works once. */
  jti: string;
  iat: number;
  exp: number;
}

export const OWNER_TOKEN_TTL_SECONDS = 15 * 60;

export function generateOwnerKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

export function publicKeyFromPrivate(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "pem" }).toString();
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");

export function signOwnerToken(
  privateKeyPem: string,
  input: { slug: string; email: string; ttlSeconds?: number; now?: number },
): { token: string; claims: OwnerTokenClaims } {
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  const claims: OwnerTokenClaims = {
    iss: "websplat",
    aud: input.slug,
    sub: input.email,
    jti: randomUUID(),
    iat,
    exp: iat + (input.ttlSeconds ?? OWNER_TOKEN_TTL_SECONDS),
  };
  const signingInput = `${base64url(JSON.stringify({ alg: "EdDSA", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign(null, Buffer.from(signingInput), createPrivateKey(privateKeyPem));
  return { token: `${signingInput}.${base64url(signature)}`, claims };
}

/** Verifies signature, issuer, audience and expiry; the caller checks that `jti` was not used before. */
export function verifyOwnerToken(
  publicKeyPem: string,
  token: string,
  expected: { slug: string; now?: number },
): { ok: true; claims: OwnerTokenClaims } | { ok: false; reason: string } {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed" };
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const head = JSON.parse(Buffer.from(header, "base64url").toString("utf8"));
    if (head.alg !== "EdDSA") return { ok: false, reason: "wrong algorithm" };
    const valid = verify(
      null,
      Buffer.from(`${header}.${payload}`),
      createPublicKey(publicKeyPem),
      Buffer.from(signature, "base64url"),
    );
    if (!valid) return { ok: false, reason: "bad signature" };
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as OwnerTokenClaims;
    const now = Math.floor((expected.now ?? Date.now()) / 1000);
    if (claims.iss !== "websplat") return { ok: false, reason: "wrong issuer" };
    if (claims.aud !== expected.slug) return { ok: false, reason: "issued for another tenant" };
    if (typeof claims.exp !== "number" || claims.exp < now) return { ok: false, reason: "expired" };
    if (typeof claims.jti !== "string" || claims.jti.length === 0)
      return { ok: false, reason: "no token id" };
    return { ok: true, claims };
  } catch {
    return { ok: false, reason: "malformed" };
  }
}
