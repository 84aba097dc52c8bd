import { readFile } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantApiToken } from "../../control-plane/tenant-access.ts";
import { fetchTenant, type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { waitForEmail } from "../support/outbox.ts";
import { admin, settledActive, waitForTenant } from "../support/stripe-events.ts";

/** The local billing portal sends signed subscription events through our own webhook. Slugs "alp-". */
describe("local billing portal", () => {
  let plane: RunningControlPlane;
  let cookie: string;
  let portal: string;
  const slug = "alp-owner";
  const email = "owner@alp.example";
  const retentionDays = 12;

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_RETENTION_DAYS: String(retentionDays) } });
    const signup = await fetch(`${plane.url}/api/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, slug, tier: "pro" }),
    });
    const { checkoutUrl } = (await signup.json()) as { checkoutUrl: string };
    await fetch(`${plane.url}/checkout/local/${new URL(checkoutUrl).pathname.split("/").at(-1)}/pay`, {
      method: "POST",
      redirect: "manual",
    });
    await waitForTenant(plane, slug, settledActive, { timeoutMs: 45_000, what: "active" });
    cookie = await signIn();
  }, 90_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  async function signIn(): Promise<string> {
    const link = (await (
      await admin(plane, `/admin/tenants/${slug}/owner-link`, { method: "POST" })
    ).json()) as {
      url: string;
    };
    const url = new URL(link.url);
    const response = await fetchTenant(plane, slug, `${url.pathname}${url.search}`);
    expect(response.status).toBe(302);
    return (response.headers.get("set-cookie") ?? "").split(";")[0]!;
  }

  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetchTenant(plane, slug, path, {
      method: init.method ?? "GET",
      headers: {
        cookie,
        "content-type": "application/json",
        origin: `http://${slug}.localhost:${plane.port}`,
        "sec-fetch-site": "same-origin",
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  const portalAction = (action: string, fields: Record<string, string> = {}) =>
    fetch(`${portal}/${action}`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });

  async function outcomes(type: string): Promise<string[]> {
    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql`select outcome from control_plane.stripe_events
        where type = ${type} and tenant_slug = ${slug} and processed_at is not null order by created`;
      return rows.map((row) => String(row.outcome));
    } finally {
      await sql.end();
    }
  }

  it("Plan and billing in the builder opens a portal that explains a downgrade below the sites in use", async () => {
    for (const name of ["First", "Second"])
      expect((await api("/api/projects", { method: "POST", body: { name } })).status).toBe(201);
    const billing = await api("/billing");
    expect(billing.status).toBe(200);
    expect(await billing.text()).toContain("Sites: <strong>2</strong> of 5");
    const opened = await api("/billing/portal", { method: "POST" });
    expect(opened.status).toBe(200);
    portal = /id="continue" href="([^"]+)"/.exec(await opened.text())![1]!;
    expect(portal).toMatch(new RegExp(`^${plane.url}/billing/local/bps_local_`));
    const page = await (await fetch(portal)).text();
    expect(page).toContain('id="current-tier">Pro');
    expect(page).toContain("You have 2 sites and Starter includes 1. Nothing is deleted");
  });

  it("the tenant API answers only a tenant's own credential", async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${plane.url}/api/billing/portal`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ returnUrl: `http://${slug}.localhost:${plane.port}/billing` }),
      });
    expect((await call({})).status).toBe(401);
    expect(
      (await call({ authorization: `Bearer ${plane.adminToken}`, "x-websplat-tenant": slug })).status,
    ).toBe(401);
    const key = `${(await readFile(join(plane.dataDir, "owner-key.pem"), "utf8")).trim()}\n`;
    const other = tenantApiToken(key, "alp-other");
    expect((await call({ authorization: `Bearer ${other}`, "x-websplat-tenant": slug })).status).toBe(401);
    const own = tenantApiToken(key, slug);
    const elsewhere = await fetch(`${plane.url}/api/billing/portal`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${own}`,
        "x-websplat-tenant": slug,
      },
      body: JSON.stringify({ returnUrl: "https://attacker.example/" }),
    });
    expect(elsewhere.status).toBe(400);
  });

  it("upgrading sends customer.subscription.updated and the tenant moves to the new tier", async () => {
    expect((await portalAction("plan", { tier: "studio" })).status).toBe(303);
    const tenant = await waitForTenant(plane, slug, (t) => t.tier === "studio" && settledActive(t), {
      timeoutMs: 45_000,
      what: "studio",
    });
    expect(tenant.deleteAfter).toBeNull();
    expect(await outcomes("customer.subscription.updated")).toEqual(["applied: active (studio)"]);
  }, 60_000);

  it("downgrading below the sites in use changes the tier and deletes nothing; new sites wait", async () => {
    expect((await portalAction("plan", { tier: "starter" })).status).toBe(303);
    await waitForTenant(plane, slug, (t) => t.tier === "starter" && settledActive(t), {
      timeoutMs: 45_000,
      what: "starter",
    });
    const { projects } = (await (await api("/api/projects")).json()) as { projects: unknown[] };
    expect(projects).toHaveLength(2);
    const third = await api("/api/projects", { method: "POST", body: { name: "Third" } });
    expect(third.status).toBeGreaterThanOrEqual(400);
    expect(third.status).toBeLessThan(500);
    expect(await third.text()).toContain("sites_limit_reached");
  }, 60_000);

  it("cancelling suspends the tenant and schedules its deletion after the retention period, as .deleted does", async () => {
    const before = Date.now();
    expect((await portalAction("cancel")).status).toBe(303);
    const tenant = await waitForTenant(
      plane,
      slug,
      (t) => t.status === "suspended" && t.observedGeneration === t.generation,
      {
        timeoutMs: 45_000,
        what: "suspended",
      },
    );
    expect(tenant.desired).toBe("suspended");
    const deleteAfter = Date.parse(tenant.deleteAfter);
    expect(deleteAfter).toBeGreaterThanOrEqual(before + retentionDays * 86_400_000);
    expect(deleteAfter).toBeLessThan(Date.now() + retentionDays * 86_400_000 + 1000);
    expect((await outcomes("customer.subscription.deleted"))[0]).toMatch(/^applied: suspended, deletion on /);
    const notice = await waitForEmail(plane.dataDir, email, /is cancelled/);
    expect(notice.text).toContain(new Date(deleteAfter).toUTCString());
    expect(await (await fetch(portal)).text()).toContain("Resume subscription");
  }, 60_000);

  it("resuming makes the tenant active again and clears the deletion date", async () => {
    expect((await portalAction("resume")).status).toBe(303);
    const tenant = await waitForTenant(plane, slug, settledActive, {
      timeoutMs: 45_000,
      what: "active again",
    });
    expect(tenant.deleteAfter).toBeNull();
    expect(tenant.tier).toBe("starter");
    expect((await outcomes("customer.subscription.updated")).at(-1)).toBe("applied: active (starter)");
  }, 60_000);
});
