import { describe, expect, it } from "vitest";
import {
  generateOwnerKeyPair,
  signOwnerToken,
  verifyOwnerToken,
} from "../../control-plane/auth/owner-token.ts";
import { ConfigError, loadConfig } from "../../control-plane/config.ts";
import {
  databaseName,
  type PlatformInput,
  slugProblem,
  TIERS,
  tenantSpec,
  tierFromLookupKey,
} from "../../tenant-template/index.ts";

describe("loadConfig", () => {
  const errorOf = (env: NodeJS.ProcessEnv): string => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error("loadConfig accepted a bad environment");
  };

  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      WEBSPLAT_DATA_DIR: ".data",
      WEBSPLAT_DRIVER: "local",
      WEBSPLAT_BASE_DOMAIN: "localhost",
      WEBSPLAT_RETENTION_DAYS: 30,
      localBilling: true,
      publicUrl: "http://localhost:8080",
    });
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "70000"],
    ["WEBSPLAT_DRIVER", "kubernetes"],
    ["WEBSPLAT_RETENTION_DAYS", "-1"],
    ["WEBSPLAT_BASE_DOMAIN", "Not A Domain"],
    ["OPENAI_BASE_URL", "not a url"],
  ])("a bad %s (%s) stops start with one line naming it", (variable, value) => {
    const message = errorOf({ [variable]: value });
    expect(message).toContain(variable);
    expect(message).not.toContain("\n");
  });

  it.each([
    ["STRIPE_SECRET_KEY", "pk_live_supersecretvalue123"],
    ["STRIPE_WEBHOOK_SECRET", "supersecret_not_whsec"],
    ["WEBSPLAT_ADMIN_TOKEN", "short-secret"],
    ["DATABASE_URL", "mysql://user:hunter2password@db/x"],
  ])("a bad %s is named but its value is never echoed", (variable, value) => {
    const message = errorOf({ [variable]: value });
    expect(message).toContain(variable);
    expect(message).not.toContain(value);
    expect(message).not.toContain("\n");
  });

  it("a Stripe secret key without a webhook secret is refused, naming what is missing", () => {
    const message = errorOf({ STRIPE_SECRET_KEY: "sk_test_abcdef0123456789" });
    expect(message).toContain("STRIPE_WEBHOOK_SECRET");
    expect(message).not.toContain("sk_test_abcdef0123456789");
  });
});

describe("slug rules", () => {
  it.each(["abc", "my-site", "a1b2", `a${"b".repeat(31)}`, "shop-2025"])("%s is a valid slug", (slug) => {
    expect(slugProblem(slug)).toBeNull();
  });

  it.each([
    ["ab", "malformed"],
    [`a${"b".repeat(32)}`, "malformed"],
    ["1abc", "malformed"],
    ["-abc", "malformed"],
    ["abc-", "malformed"],
    ["ABC", "malformed"],
    ["a_b_c", "malformed"],
    ["a.b.c", "malformed"],
    ["", "malformed"],
    ["my--site", "double_hyphen"],
    ["www", "reserved"],
    ["api", "reserved"],
    ["admin", "reserved"],
    ["signup", "reserved"],
    ["websplat", "reserved"],
    ["dashboard", "reserved"],
  ])("%s is refused as %s, with a sentence", (slug, code) => {
    const problem = slugProblem(slug);
    expect(problem?.code).toBe(code);
    expect(problem?.message.length).toBeGreaterThan(10);
  });

  it("every reserved name of the contract is reserved", () => {
    for (const slug of [
      "www",
      "api",
      "admin",
      "app",
      "docs",
      "status",
      "mail",
      "static",
      "cdn",
      "assets",
      "dashboard",
      "billing",
      "support",
      "help",
      "blog",
      "auth",
      "login",
      "signup",
      "websplat",
    ]) {
      expect(slugProblem(slug)?.code, slug).toBe("reserved");
    }
  });

  it("hosts the platform uses for itself are reserved: sites (sites.localhost) and cname (the domain target)", () => {
    for (const slug of ["sites", "cname", "signin", "autodiscover"]) {
      expect(slugProblem(slug)?.code, slug).toBe("reserved");
    }
  });

  it("schema and role are t_ with hyphens as underscores", () => {
    expect(databaseName("my-shop-2")).toBe("t_my_shop_2");
  });
});

describe("tierFromLookupKey", () => {
  it.each([
    ["websplat_starter", "starter"],
    ["websplat_pro", "pro"],
    ["websplat_studio", "studio"],
    ["websplat_pro_yearly", "pro"],
    ["websplat_studio_2025_eur", "studio"],
  ])("%s sells %s", (key, tier) => {
    expect(tierFromLookupKey(key)).toBe(tier);
  });

  it.each([
    null,
    undefined,
    "",
    "pro",
    "websplat_",
    "websplat_enterprise",
    "websplat_pro-yearly",
    "xwebsplat_pro",
    "WEBSPLAT_PRO",
  ])("%s is not one of ours", (key) => {
    expect(tierFromLookupKey(key)).toBeNull();
  });
});

describe("tenantSpec", () => {
  const platform: PlatformInput = {
    baseDomain: "websp.lat",
    scheme: "https",
    runtimeImage: "ghcr.io/websplat/agent-runtime:1.2.3",
    ingressNamespace: "ingress-nginx",
    ingressClassName: "nginx",
    ingressHostname: "lb.example.com",
    postgres: { host: "db.internal", port: 5432, database: "websplat" },
    ownerPublicKey: "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n",
    model: {},
  };
  const tenant = {
    slug: "acme-co",
    tier: "studio" as const,
    desired: "active" as const,
    generation: 4,
    ownerEmail: "o@acme.test",
  };

  it("names, host and limits follow the slug and the tier", () => {
    const spec = tenantSpec(tenant, platform);
    expect(spec).toMatchObject({
      slug: "acme-co",
      namespace: "t-acme-co",
      hostname: "acme-co.websp.lat",
      url: "https://acme-co.websp.lat",
      generation: 4,
      suspended: false,
      database: { schema: "t_acme_co", role: "t_acme_co", connectionLimit: TIERS.studio.connectionLimit },
      runtime: { replicas: 2, image: platform.runtimeImage, resources: { cpu: "2", memory: "2Gi" } },
    });
    expect(spec.runtime.env).toMatchObject({
      WEBSPLAT_TENANT: "acme-co",
      WEBSPLAT_TIER: "studio",
      WEBSPLAT_LIMIT_SITES: "25",
    });
  });

  it("a suspended tenant keeps its names and data but runs zero replicas", () => {
    const spec = tenantSpec({ ...tenant, desired: "suspended" }, platform);
    expect(spec.suspended).toBe(true);
    expect(spec.runtime.replicas).toBe(0);
    expect(spec.database.schema).toBe("t_acme_co");
  });

  it("secrets never enter the spec", () => {
    const env = tenantSpec(tenant, platform).runtime.env;
    expect(Object.keys(env)).not.toContain("DATABASE_URL");
    expect(Object.keys(env)).not.toContain("OPENAI_API_KEY");
    expect(Object.keys(env)).not.toContain("WEBSPLAT_ADMIN_TOKEN");
  });

  it("a local URL carries a non-default port", () => {
    const spec = tenantSpec(tenant, {
      ...platform,
      baseDomain: "localhost",
      scheme: "http",
      publicPort: 8080,
    });
    expect(spec.url).toBe("http://acme-co.localhost:8080");
  });
});

describe("owner sign-in tokens", () => {
  const keys = generateOwnerKeyPair();
  const issued = signOwnerToken(keys.privateKeyPem, { slug: "acme", email: "o@acme.test" });

  it("a fresh token for this tenant is accepted", () => {
    const result = verifyOwnerToken(keys.publicKeyPem, issued.token, { slug: "acme" });
    expect(result).toMatchObject({ ok: true, claims: { aud: "acme", sub: "o@acme.test" } });
  });

  it("a token for another tenant is refused", () => {
    expect(verifyOwnerToken(keys.publicKeyPem, issued.token, { slug: "globex" }).ok).toBe(false);
  });

  it("an expired token is refused", () => {
    const old = signOwnerToken(keys.privateKeyPem, {
      slug: "acme",
      email: "o@acme.test",
      ttlSeconds: 60,
      now: Date.now() - 120_000,
    });
    expect(verifyOwnerToken(keys.publicKeyPem, old.token, { slug: "acme" })).toEqual({
      ok: false,
      reason: expect.any(String),
    });
  });

  it("a tampered token is refused", () => {
    const [header, payload, signature] = issued.token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, aud: "globex" })).toString("base64url");
    expect(
      verifyOwnerToken(keys.publicKeyPem, `${header}.${forged}.${signature}`, { slug: "globex" }).ok,
    ).toBe(false);
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`;
    expect(verifyOwnerToken(keys.publicKeyPem, `${header}.${payload}.${flipped}`, { slug: "acme" }).ok).toBe(
      false,
    );
  });

  it("a token signed by another key, an unsigned one, or garbage is refused", () => {
    const other = generateOwnerKeyPair();
    const foreign = signOwnerToken(other.privateKeyPem, { slug: "acme", email: "o@acme.test" });
    expect(verifyOwnerToken(keys.publicKeyPem, foreign.token, { slug: "acme" }).ok).toBe(false);
    const [, payload] = issued.token.split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    expect(verifyOwnerToken(keys.publicKeyPem, none, { slug: "acme" }).ok).toBe(false);
    for (const garbage of ["", "a.b", "a.b.c", "...."]) {
      expect(verifyOwnerToken(keys.publicKeyPem, garbage, { slug: "acme" }).ok).toBe(false);
    }
  });
});
