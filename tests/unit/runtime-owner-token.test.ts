import { describe, expect, test } from "vitest";
import { ownerKey, verifyOwnerToken } from "../../agent-runtime/auth/owner-token.ts";
import { ConfigError, loadConfig } from "../../agent-runtime/config.ts";
import { generateOwnerKeyPair, signOwnerToken } from "../../control-plane/auth/owner-token.ts";

const keys = generateOwnerKeyPair();
const key = ownerKey(keys.publicKeyPem);

describe("owner sign-in tokens, verified in the runtime", () => {
  test("a token the control plane signed for this tenant is accepted", () => {
    const { token, claims } = signOwnerToken(keys.privateKeyPem, { slug: "acme", email: "o@acme.example" });
    expect(verifyOwnerToken(key, token, { tenant: "acme" })).toEqual({ ok: true, claims });
  });

  test("another key, another tenant, an expired or tampered token is refused with the reason", () => {
    const other = generateOwnerKeyPair();
    const foreign = signOwnerToken(other.privateKeyPem, { slug: "acme", email: "o@acme.example" }).token;
    expect(verifyOwnerToken(key, foreign, { tenant: "acme" })).toMatchObject({
      ok: false,
      reason: /signature/,
    });
    const { token } = signOwnerToken(keys.privateKeyPem, { slug: "acme", email: "o@acme.example" });
    expect(verifyOwnerToken(key, token, { tenant: "zeta" })).toMatchObject({
      ok: false,
      reason: /another site/,
    });
    const old = signOwnerToken(keys.privateKeyPem, {
      slug: "acme",
      email: "o",
      ttlSeconds: 60,
      now: Date.now() - 3_600_000,
    });
    expect(verifyOwnerToken(key, old.token, { tenant: "acme" })).toMatchObject({
      ok: false,
      reason: /expired/,
    });
    const [h, , s] = token.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ aud: "acme", exp: 9e9 })).toString("base64url")}.${s}`;
    expect(verifyOwnerToken(key, forged, { tenant: "acme" })).toMatchObject({ ok: false });
    expect(verifyOwnerToken(key, "nonsense", { tenant: "acme" })).toMatchObject({
      ok: false,
      reason: /malformed/,
    });
  });
});

describe("runtime configuration", () => {
  const env = {
    DATABASE_URL: "postgres://t_acme:pw@127.0.0.1:5432/websplat",
    WEBSPLAT_DB_SCHEMA: "t_acme",
    WEBSPLAT_TENANT: "acme",
    WEBSPLAT_TIER: "pro",
    WEBSPLAT_PUBLIC_URL: "https://acme.websp.lat",
    WEBSPLAT_OWNER_EMAIL: "o@acme.example",
    WEBSPLAT_OWNER_PUBLIC_KEY: keys.publicKeyPem,
    WEBSPLAT_LIMIT_SITES: "5",
    WEBSPLAT_LIMIT_TOKENS_PER_MONTH: "5000000",
  };

  test("defaults fill in PORT and HOST", () => {
    expect(loadConfig(env)).toMatchObject({ port: 8080, host: "0.0.0.0", tier: "pro", limits: { sites: 5 } });
  });

  test("a missing or bad variable is named in the error", () => {
    expect(() => loadConfig({ ...env, WEBSPLAT_LIMIT_SITES: "many" })).toThrow(/^WEBSPLAT_LIMIT_SITES/);
    const { DATABASE_URL: _, ...withoutUrl } = env;
    expect(() => loadConfig(withoutUrl)).toThrow(new ConfigError("DATABASE_URL is required"));
  });
});
