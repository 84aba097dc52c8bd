import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, websplat } from "../support/cli.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { activeTenant, admin, ownerOf } from "../support/site-tenant.ts";
import { hostRequest, type LoopbackDns, startLoopbackDns } from "../support/sites.ts";

/**
 * Attacks on custom domains: squatting a hostname one does not own (a claim with no proof), sitting on it for
 * ever, and using the DNS check as an oracle. Real DNS on loopback. Slugs start with "dcl-".
 */
describe("custom-domain claims must be proven, lapse, and can be released", () => {
  let plane: RunningControlPlane;
  let dns: LoopbackDns;
  const owners: Record<string, Awaited<ReturnType<typeof ownerOf>>> = {};
  const projects: Record<string, string> = {};
  const domains = (slug: string) => `/api/projects/${projects[slug]}/domains`;

  beforeAll(async () => {
    dns = await startLoopbackDns();
    plane = await startControlPlane({ env: { WEBSPLAT_DNS_RESOLVER: dns.address } });
    for (const slug of ["dcl-owner", "dcl-squat"]) {
      await activeTenant(plane, slug, "pro");
      const owner = await ownerOf(plane, slug);
      owners[slug] = owner;
      projects[slug] = (await owner.post("/api/projects", { name: "Bakery" })).body.project.id;
      await owner.build(projects[slug]!, "A website for a bakery with opening hours and a contact form");
      expect((await owner.post(`/api/projects/${projects[slug]}/publish`)).status).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
    await dns?.close();
  });

  it("a claim without proof does not hold the hostname: its real owner adds it, proves it by TXT, and it routes to them", async () => {
    const squatter = owners["dcl-squat"]!;
    const squat = await squatter.post(domains("dcl-squat"), { hostname: "www.real-bakery.test" });
    expect(squat.status).toBe(201);
    expect(squat.body.status).toBe("pending");
    const hoursLeft = (Date.parse(squat.body.expiresAt) - Date.now()) / 3600_000;
    expect(hoursLeft).toBeGreaterThan(71);
    expect(hoursLeft).toBeLessThanOrEqual(72);
    expect(squat.body.reason).toContain("lapses");

    const owner = owners["dcl-owner"]!;
    const claim = await owner.post(domains("dcl-owner"), { hostname: "www.real-bakery.test" });
    expect(claim.status).toBe(201);
    const txt = claim.body.records.find((r: { type: string }) => r.type === "TXT");
    const cname = claim.body.records.find((r: { type: string }) => r.type === "CNAME");
    dns.setTxt(txt.name, txt.value);
    dns.setCname("www.real-bakery.test", cname.value);
    const checked = await owner.post(`${domains("dcl-owner")}/check`);
    expect(checked.body.domains[0]).toMatchObject({ hostname: "www.real-bakery.test", status: "active" });
    expect(checked.body.domains[0].expiresAt).toBeNull();

    const routed = await hostRequest(plane.port, "www.real-bakery.test", "/");
    expect(routed.status).toBe(200);
    expect(routed.text()).toBe(
      (await hostRequest(plane.port, "bakery--dcl-owner.sites.localhost", "/")).text(),
    );

    // Proven, it is held: the squatter's claim cannot be proven and a new one is refused.
    const again = await squatter.post(`${domains("dcl-squat")}/check`);
    expect(again.body.domains[0].status).toBe("failed");
    expect((await squatter.delete(domains("dcl-squat"), { hostname: "www.real-bakery.test" })).status).toBe(
      200,
    );
    const refused = await squatter.post(domains("dcl-squat"), { hostname: "www.real-bakery.test" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("domain_taken");
  }, 60_000);

  it("an unproven claim lapses after 72 hours: it no longer shows or counts", async () => {
    const squatter = owners["dcl-squat"]!;
    expect((await squatter.post(domains("dcl-squat"), { hostname: "shop.real-bakery.test" })).status).toBe(
      201,
    );
    // 72 hours pass for the claims of the squatter (the clock of the database row, not a sleep).
    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await sql`update control_plane.site_domains set created_at = now() - interval '73 hours' where slug = 'dcl-squat'`;
    } finally {
      await sql.end();
    }
    const listed = await squatter.get(domains("dcl-squat"));
    expect(listed.body.domains).toEqual([]);
  });

  it("the operator releases a hostname with websplat domains release: routing stops, and it is audited", async () => {
    const target = { url: plane.url, adminToken: plane.adminToken };
    const released = await websplat(["domains", "release", "www.real-bakery.test", "--json"], target);
    expect(released.code).toBe(0);
    expect(json(released)).toEqual({
      hostname: "www.real-bakery.test",
      released: [{ slug: "dcl-owner", site: "bakery", status: "active" }],
    });
    expect((await admin(plane, "/admin/tenants/dcl-owner/domains")).body.domains).toEqual([]);
    const after = await hostRequest(plane.port, "www.real-bakery.test", "/");
    expect(after.text()).not.toContain("/_forms/");
    const audit = await admin(plane, "/admin/audit?slug=dcl-owner&action=domain.release");
    expect(audit.body.entries[0]).toMatchObject({ actor: "admin:bootstrap", action: "domain.release" });

    const unknown = await websplat(["domains", "release", "nobody-claims.test"], target);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No tenant claims nobody-claims.test");
  });

  it("the DNS check is limited per tenant: it cannot be used as an unlimited DNS oracle", async () => {
    const owner = owners["dcl-owner"]!;
    const statuses: number[] = [];
    for (let n = 0; n < 12; n++) statuses.push((await owner.post(`${domains("dcl-owner")}/check`)).status);
    // One check was spent by the first test.
    expect(statuses.slice(0, 9).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(9)).toEqual([429, 429, 429]);
    const refused = await owner.post(`${domains("dcl-owner")}/check`);
    expect(refused.body.error.code).toBe("rate_limited");
    // Another tenant's budget is its own.
    expect((await owners["dcl-squat"]!.post(`${domains("dcl-squat")}/check`)).status).toBe(200);
  });
});
