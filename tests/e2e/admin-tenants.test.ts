import { resolve } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import {
  admin,
  checkoutSession,
  deliver,
  getTenant,
  now,
  processedOutcome,
  settledActive,
  stripeEvent,
  subscription,
  waitForTenant,
} from "../support/stripe-events.ts";

const FIXTURE_RUNTIME = resolve(import.meta.dirname, "../fixtures/healthz-runtime.ts");

/** Retention 0, slug rules across every way in, and the admin token. Slugs start with "at-". */
describe("admin and slugs, with no retention after cancellation", () => {
  let plane: RunningControlPlane;
  let sql: postgres.Sql;

  beforeAll(async () => {
    plane = await startControlPlane({
      env: { WEBSPLAT_RUNTIME_ENTRY: FIXTURE_RUNTIME, WEBSPLAT_RETENTION_DAYS: "0" },
    });
    sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await sql?.end();
    await plane?.stop();
    await plane?.cleanup();
  });

  const signup = (body: unknown) =>
    fetch(`${plane.url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  async function databaseObjects(name: string) {
    const [row] = await sql`
      select exists(select 1 from pg_roles where rolname = ${name}) as role,
             exists(select 1 from pg_namespace where nspname = ${name}) as schema`;
    return { role: row?.role, schema: row?.schema };
  }

  it("a cancelled subscription with retention 0 deletes the tenant: role and schema dropped, host 404", async () => {
    const slug = "at-gone";
    const base = now() - 100;
    await deliver(
      plane,
      stripeEvent(
        "checkout.session.completed",
        checkoutSession({ slug, subscription: "sub_test_at_gone", customer: "cus_test_at_gone" }),
        base,
      ),
    );
    await waitForTenant(plane, slug, settledActive, { what: "active" });
    expect(await databaseObjects("t_at_gone")).toEqual({ role: true, schema: true });
    expect((await fetchTenant(plane, slug, "/healthz")).status).toBe(200);

    const cancelled = stripeEvent(
      "customer.subscription.deleted",
      subscription({ id: "sub_test_at_gone", customer: "cus_test_at_gone", status: "canceled" }),
      base + 1,
    );
    await deliver(plane, cancelled);
    await processedOutcome(plane, cancelled.id);
    await waitForTenant(plane, slug, (t) => t.status === "deleted", { what: "deleted" });
    expect(await databaseObjects("t_at_gone")).toEqual({ role: false, schema: false });
    // The gateway may hold the row for a second.
    await expect
      .poll(async () => (await fetchTenant(plane, slug, "/healthz")).status, { timeout: 5000 })
      .toBe(404);

    // A deleted tenant's slug is never reissued.
    expect(await (await fetch(`${plane.url}/api/slugs/${slug}`)).json()).toMatchObject({
      available: false,
      code: "taken",
    });
    expect((await signup({ email: "new@example.com", slug, tier: "starter" })).status).toBe(409);
    expect(
      (
        await admin(plane, "/admin/tenants", {
          method: "POST",
          body: { slug, email: "new@example.com", tier: "starter" },
        })
      ).status,
    ).toBe(409);
    // Nor does a new Payment Link purchase revive it.
    const revive = stripeEvent("checkout.session.completed", checkoutSession({ slug }), now());
    await deliver(plane, revive);
    expect(await processedOutcome(plane, revive.id)).toMatch(/^rejected/);
    expect(await getTenant(plane, slug)).toMatchObject({ status: "deleted", desired: "deleted" });
  });

  it("an admin-created (comped) tenant goes through the same pipeline and serves", async () => {
    const response = await admin(plane, "/admin/tenants", {
      method: "POST",
      body: { slug: "at-comped", email: "friend@example.com", tier: "pro" },
    });
    expect(response.status).toBe(201);
    await waitForTenant(plane, "at-comped", settledActive, { what: "active" });
    expect(await (await fetchTenant(plane, "at-comped", "/healthz")).json()).toEqual({
      status: "ok",
      tenant: "at-comped",
    });
  });

  describe("slug rules hold the same on every way in", () => {
    const cases: Array<[string, string, number]> = [
      ["admin", "reserved", 400],
      ["www", "reserved", 400],
      ["websplat", "reserved", 400],
      ["ab", "malformed", 400],
      ["1abc", "malformed", 400],
      ["Upper", "malformed", 400],
      ["ends-", "malformed", 400],
      ["has_underscore", "malformed", 400],
      [`a${"b".repeat(32)}`, "malformed", 400],
      ["double--hyphen", "double_hyphen", 400],
    ];

    it.each(cases)("%s is refused as %s", async (slug, code, status) => {
      const availability = await (await fetch(`${plane.url}/api/slugs/${encodeURIComponent(slug)}`)).json();
      expect(availability).toMatchObject({ slug, available: false, code });
      expect(availability.reason).toEqual(expect.any(String));
      const bySignup = await signup({ email: "a@example.com", slug, tier: "starter" });
      expect(bySignup.status).toBe(status);
      expect(await bySignup.json()).toMatchObject({ error: { code: `slug_${code}` } });
      const byAdmin = await admin(plane, "/admin/tenants", {
        method: "POST",
        body: { slug, email: "a@example.com", tier: "starter" },
      });
      expect(byAdmin.status).toBe(status);
      expect(await byAdmin.json()).toMatchObject({ error: { code: `slug_${code}` } });
      const [row] = await sql`select count(*)::int as n from control_plane.tenants where slug = ${slug}`;
      expect(row?.n).toBe(0);
    });

    it("a free slug is available, and taken once someone signs up for it", async () => {
      const slug = "at-fresh-name";
      expect(await (await fetch(`${plane.url}/api/slugs/${slug}`)).json()).toEqual({ slug, available: true });
      const first = await signup({ email: "first@example.com", slug, tier: "starter" });
      expect(first.status).toBe(201);
      const { statusUrl } = (await first.json()) as { statusUrl: string };
      expect(await (await fetch(`${plane.url}/api/slugs/${slug}`)).json()).toMatchObject({
        available: false,
        code: "taken",
      });
      const second = await signup({ email: "second@example.com", slug, tier: "starter" });
      expect(second.status).toBe(409);
      expect(await second.json()).toMatchObject({ error: { code: "slug_taken" } });
      const byAdmin = await admin(plane, "/admin/tenants", {
        method: "POST",
        body: { slug: "at-comped", email: "x@example.com", tier: "starter" },
      });
      expect(byAdmin.status).toBe(409);
      // The same email is no proof of being the same person; the key the signup gave is.
      expect((await signup({ email: "FIRST@example.com", slug, tier: "pro" })).status).toBe(409);
      const key = new URL(statusUrl).searchParams.get("key");
      expect((await signup({ email: "first@example.com", slug, tier: "pro", key })).status).toBe(201);
    });
  });

  describe("admin routes refuse callers without the admin token", () => {
    const routes: Array<[string, string, unknown?]> = [
      ["GET", "/admin/tenants"],
      ["POST", "/admin/tenants", { slug: "at-sneaky", email: "x@example.com", tier: "studio" }],
      ["GET", "/admin/tenants/at-comped"],
      ["PATCH", "/admin/tenants/at-comped", { tier: "studio" }],
      ["DELETE", "/admin/tenants/at-comped"],
      ["POST", "/admin/tenants/at-comped/suspend"],
      ["POST", "/admin/tenants/at-comped/owner-link"],
      ["GET", "/admin/tenants/at-comped/stack/export"],
      ["GET", "/admin/operations"],
    ];

    it.each(routes)(
      "%s %s: 401 with a JSON error for a missing, wrong or malformed token",
      async (method, path, body) => {
        for (const token of [null, "wrong-token-of-decent-length-0000", "", `${plane.adminToken}x`]) {
          const response = await admin(plane, path, { method, body, token });
          expect(response.status).toBe(401);
          const json = (await response.json()) as { error: { code: string; message: string } };
          expect(json.error).toEqual({ code: "unauthorized", message: expect.any(String) });
          expect(json.error.message).not.toContain(plane.adminToken);
        }
        const basic = await fetch(`${plane.url}${path}`, {
          method,
          headers: { authorization: `Basic ${Buffer.from(`admin:${plane.adminToken}`).toString("base64")}` },
        });
        expect(basic.status).toBe(401);
        expect(await getTenant(plane, "at-sneaky")).toBeNull();
        expect(await getTenant(plane, "at-comped")).toMatchObject({ tier: "pro", desired: "active" });
      },
    );
  });
});
