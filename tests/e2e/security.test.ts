import { describe, expect, test } from "vitest";
import { fetchTenant, useControlPlane } from "../support/control-plane.ts";
import { waitFor } from "../support/wait.ts";

const plane = useControlPlane();
const admin = () => ({ authorization: `Bearer ${plane().adminToken}`, "content-type": "application/json" });

describe("the control plane's own pages and APIs", () => {
  test("carry a strict content security policy and the usual protective headers", async () => {
    for (const path of ["/", "/docs", "/api/slugs/some-shop"]) {
      const response = await fetch(`${plane().url}${path}`);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).not.toContain("unsafe-eval");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
  });

  test("let forms end only at our own origin, except the signup page's, which ends at Stripe Checkout", async () => {
    const formAction = async (path: string) => {
      const response = await fetch(`${plane().url}${path}`);
      const csp = response.headers.get("content-security-policy") ?? "";
      return csp
        .split(";")
        .find((directive) => directive.trim().startsWith("form-action"))
        ?.trim();
    };
    expect(await formAction("/")).toBe("form-action 'self' https://checkout.stripe.com");
    for (const path of ["/terms", "/signin", "/welcome/some-shop", "/docs"]) {
      expect(await formAction(path), path).toBe("form-action 'self'");
    }
  });

  test("answer cross-origin API calls only for our own origin", async () => {
    const ours = await fetch(`${plane().url}/api/slugs/some-shop`, { headers: { origin: plane().url } });
    expect(ours.headers.get("access-control-allow-origin")).toBe(plane().url);
    const theirs = await fetch(`${plane().url}/api/slugs/some-shop`, {
      headers: { origin: "https://evil.example" },
    });
    expect(theirs.headers.get("access-control-allow-origin")).not.toBe("https://evil.example");
  });
});

test("signups beyond the rate limit get 429 with Retry-After", async () => {
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 40; i++) {
    const response = await fetch(`${plane().url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "not-an-email", slug: "rate-limited", tier: "pro" }),
    });
    statuses.push(response.status);
    if (response.status === 429) {
      retryAfter = response.headers.get("retry-after");
      expect((await response.json()).error.code).toBe("rate_limited");
      break;
    }
  }
  expect(statuses).toContain(429);
  expect(statuses.filter((status) => status === 400).length).toBeGreaterThanOrEqual(10);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
});

test("the audit log records admin actions and owner-link issuance", async () => {
  const created = await fetch(`${plane().url}/admin/tenants`, {
    method: "POST",
    headers: admin(),
    body: JSON.stringify({ slug: "audited-shop", email: "owner@audited.test", tier: "starter" }),
  });
  expect(created.status).toBe(201);
  await fetch(`${plane().url}/admin/tenants/audited-shop/reconcile`, { method: "POST", headers: admin() });
  const audit = await (
    await fetch(`${plane().url}/admin/audit?slug=audited-shop`, { headers: admin() })
  ).json();
  const actions = audit.entries.map((entry: { action: string }) => entry.action);
  expect(actions).toEqual(expect.arrayContaining(["tenant.create", "tenant.reconcile"]));
  // Entries name the token that acted (here the bootstrap token).
  expect(audit.entries.every((entry: { actor: string }) => entry.actor === "admin:bootstrap")).toBe(true);
  const refused = await fetch(`${plane().url}/admin/audit`);
  expect(refused.status).toBe(401);
});

test("a tenant's host is rate limited by its tier, with Retry-After, without touching other tenants", async () => {
  for (const slug of ["limited-shop", "quiet-shop"]) {
    await fetch(`${plane().url}/admin/tenants`, {
      method: "POST",
      headers: admin(),
      body: JSON.stringify({ slug, email: `owner@${slug}.test`, tier: "starter" }),
    });
  }
  await waitFor(
    async () => {
      const states = await Promise.all(
        ["limited-shop", "quiet-shop"].map(
          async (slug) =>
            (await (await fetch(`${plane().url}/admin/tenants/${slug}`, { headers: admin() })).json()).status,
        ),
      );
      return states.every((status) => status === "active");
    },
    { what: "both tenants active", timeoutMs: 30_000 },
  );
  // Starter: 20 requests/s sustained, bursts of 80.
  const answers = await Promise.all(
    Array.from({ length: 150 }, () => fetchTenant(plane(), "limited-shop", "/healthz")),
  );
  const limited = answers.filter((response) => response.status === 429);
  expect(limited.length).toBeGreaterThan(0);
  expect(answers.filter((response) => response.status === 200).length).toBeGreaterThanOrEqual(60);
  expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect((await fetchTenant(plane(), "quiet-shop", "/healthz")).status).toBe(200);
});

// Last: the server closes the connection after refusing the body.
test("the control plane refuses an oversized body with 413 and changes nothing", async () => {
  const response = await fetch(`${plane().url}/api/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: "a@example.com",
      slug: "big-body",
      tier: "pro",
      pad: "x".repeat(2 * 1024 * 1024),
    }),
  });
  expect(response.status).toBe(413);
  const slug = await (await fetch(`${plane().url}/api/slugs/big-body`)).json();
  expect(slug.available).toBe(true);
});
