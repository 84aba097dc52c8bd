import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, websplat } from "../support/cli.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { activeTenant, admin, ownerOf } from "../support/site-tenant.ts";
import { formPost, hostRequest, type LoopbackDns, startLoopbackDns } from "../support/sites.ts";
import { deliver, stripeEvent, subscription } from "../support/stripe-events.ts";
import { waitFor } from "../support/wait.ts";

/** Forms and custom domains of published sites, with a real DNS server on loopback. Slugs start with "pfd-". */
describe("published sites: forms and custom domains", () => {
  let plane: RunningControlPlane;
  let dns: LoopbackDns;
  const owners: Record<string, Awaited<ReturnType<typeof ownerOf>>> = {};
  const projects: Record<string, string> = {};

  beforeAll(async () => {
    dns = await startLoopbackDns();
    plane = await startControlPlane({ env: { WEBSPLAT_DNS_RESOLVER: dns.address } });
    for (const [slug, tier] of [
      ["pfd-ana", "pro"],
      ["pfd-ben", "starter"],
    ] as const) {
      await activeTenant(plane, slug, tier);
      const owner = await ownerOf(plane, slug);
      owners[slug] = owner;
      projects[slug] = (await owner.post("/api/projects", { name: "Studio" })).body.project.id;
      await owner.build(
        projects[slug]!,
        "A website for a pottery studio with about, classes and a contact form",
      );
      expect((await owner.post(`/api/projects/${projects[slug]}/publish`)).status).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
    await dns?.close();
  });

  const site = (slug: string) => `studio--${slug}.sites.localhost`;

  it("a submitted form appears in its owner's builder only, a honeypot hit is dropped, and it exports as CSV", async () => {
    // On autopilot the builder gives the contact details (and their form) a page of their own.
    const page = (await hostRequest(plane.port, site("pfd-ana"), "/contact.html")).text();
    expect(page).toContain('action="/_forms/contact"');
    const sent = await hostRequest(
      plane.port,
      site("pfd-ana"),
      "/_forms/contact",
      formPost(
        {
          name: "Chloé",
          email: "chloe@example.test",
          message: "Do you run classes on Sundays?",
          _website: "",
        },
        { referer: `http://${site("pfd-ana")}:${plane.port}/` },
      ),
    );
    expect(sent.status).toBe(200);
    expect(sent.text()).toContain("Your message was sent");
    const spam = await hostRequest(
      plane.port,
      site("pfd-ana"),
      "/_forms/contact",
      formPost({ name: "bot", email: "bot@spam.test", message: "cheap pills", _website: "http://spam.test" }),
    );
    expect(spam.status).toBe(200);

    const ana = await owners["pfd-ana"]!.get(`/api/projects/${projects["pfd-ana"]}/submissions`);
    expect(ana.body.submissions).toHaveLength(1);
    expect(ana.body.submissions[0]).toMatchObject({
      form: "contact",
      page: "/",
      fields: { name: "Chloé", email: "chloe@example.test", message: "Do you run classes on Sundays?" },
    });
    const ben = await owners["pfd-ben"]!.get(`/api/projects/${projects["pfd-ben"]}/submissions`);
    expect(ben.body.submissions).toEqual([]);
    // Another tenant's project id reaches nothing in this tenant's builder.
    expect((await owners["pfd-ben"]!.get(`/api/projects/${projects["pfd-ana"]}/submissions`)).status).toBe(
      404,
    );

    const csv = await owners["pfd-ana"]!.get(`/api/projects/${projects["pfd-ana"]}/submissions?format=csv`);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(String(csv.body)).toContain("Do you run classes on Sundays?");
  }, 60_000);

  it("30 submissions a minute from one client pass, the 31st is limited", async () => {
    const results: number[] = [];
    for (let n = 0; n < 31; n++) {
      const response = await hostRequest(
        plane.port,
        site("pfd-ben"),
        "/_forms/contact",
        formPost(
          { email: `visitor${n}@example.test`, message: `hello ${n}` },
          { accept: "application/json" },
        ),
      );
      results.push(response.status);
      if (n === 30) {
        expect(response.json().error.code).toBe("rate_limited");
        expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
      }
    }
    expect(results.slice(0, 30)).toEqual(Array(30).fill(201));
    expect(results[30]).toBe(429);
    const ben = await owners["pfd-ben"]!.get(`/api/projects/${projects["pfd-ben"]}/submissions`);
    expect(ben.body.submissions).toHaveLength(30);
  }, 60_000);

  it("a custom domain goes pending → verified → routed with real DNS; wrong records fail with the reason; removal stops routing", async () => {
    const ana = owners["pfd-ana"]!;
    const added = await ana.post(`/api/projects/${projects["pfd-ana"]}/domains`, {
      hostname: "www.ana-pottery.test",
    });
    expect(added.status).toBe(201);
    expect(added.body.status).toBe("pending");
    const txt = added.body.records.find((r: { type: string }) => r.type === "TXT");
    const cname = added.body.records.find((r: { type: string }) => r.type === "CNAME");
    expect(txt.name).toBe("_websplat.www.ana-pottery.test");
    expect(cname).toEqual({ type: "CNAME", name: "www.ana-pottery.test", value: "cname.sites.localhost" });
    // Not routed while pending.
    expect((await hostRequest(plane.port, "www.ana-pottery.test", "/")).status).toBe(404);

    // No records yet: still pending, saying what is missing, not a failure.
    const early = await ana.post(`/api/projects/${projects["pfd-ana"]}/domains/check`);
    expect(early.body.domains[0].status).toBe("pending");
    expect(early.body.domains[0].reason).toContain(
      "_websplat.www.ana-pottery.test does not exist in DNS yet",
    );
    expect(early.body.domains[0].reason).toContain("48 hours");

    // Wrong records: failed, with the reason.
    dns.setTxt("_websplat.www.ana-pottery.test", "websplat-verify=someone-else");
    dns.setCname("www.ana-pottery.test", "elsewhere.example.test");
    const wrong = await ana.post(`/api/projects/${projects["pfd-ana"]}/domains/check`);
    expect(wrong.body.domains[0].status).toBe("failed");
    expect(wrong.body.domains[0].reason).toContain('not "websplat-verify=');
    expect(wrong.body.domains[0].reason).toContain(
      "points at elsewhere.example.test, not cname.sites.localhost",
    );

    dns.setTxt("_websplat.www.ana-pottery.test", txt.value);
    dns.setCname("www.ana-pottery.test", cname.value);
    const checked = await admin(plane, "/admin/tenants/pfd-ana/domains/check", { method: "POST" });
    expect(checked.body.domains[0]).toMatchObject({ hostname: "www.ana-pottery.test", status: "active" });
    const routed = await hostRequest(plane.port, "www.ana-pottery.test", "/");
    expect(routed.status).toBe(200);
    expect(routed.text()).toBe((await hostRequest(plane.port, site("pfd-ana"), "/")).text());

    // One site per domain.
    const taken = await owners["pfd-ben"]!.post(`/api/projects/${projects["pfd-ben"]}/domains`, {
      hostname: "www.ana-pottery.test",
    });
    expect(taken.status).toBe(403);

    const removed = await ana.delete(`/api/projects/${projects["pfd-ana"]}/domains`, {
      hostname: "www.ana-pottery.test",
    });
    expect(removed.body).toEqual({ removed: "www.ana-pottery.test" });
    // The host is no longer the site's at once (it is now just a host the platform does not know).
    const after = await hostRequest(plane.port, "www.ana-pottery.test", "/");
    expect(after.text()).not.toBe(routed.text());
    expect(after.text()).not.toContain("/_forms/contact");
  }, 60_000);

  it("a starter tenant gets a 403 that names the plan with custom domains; bad hostnames are refused", async () => {
    const ben = await owners["pfd-ben"]!.post(`/api/projects/${projects["pfd-ben"]}/domains`, {
      hostname: "www.ben.test",
    });
    expect(ben.status).toBe(403);
    expect(ben.body.error.message).toContain("Pro plan");
    const bad = await owners["pfd-ana"]!.post(`/api/projects/${projects["pfd-ana"]}/domains`, {
      hostname: "not a host",
    });
    expect(bad.status).toBe(400);
    const ours = await owners["pfd-ana"]!.post(`/api/projects/${projects["pfd-ana"]}/domains`, {
      hostname: "x.sites.localhost",
    });
    expect(ours.status).toBe(400);
  });

  it("the tenant API refuses anything but a tenant's own site token", async () => {
    for (const token of [plane.adminToken, `wsp_pfd-ana_${"0".repeat(64)}`, ""]) {
      const response = await fetch(`${plane.url}/tenant-api/v1/submissions`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(401);
    }
    await waitFor(async () => true);
  });

  it("websplat sites list and domains list|check show a tenant's sites and domains; the check is audited", async () => {
    const target = { url: plane.url, adminToken: plane.adminToken };
    const added = await owners["pfd-ana"]!.post(`/api/projects/${projects["pfd-ana"]}/domains`, {
      hostname: "shop.ana-pottery.test",
    });
    dns.setTxt("_websplat.shop.ana-pottery.test", added.body.records[1].value);
    dns.setCname("shop.ana-pottery.test", "cname.sites.localhost");

    const pending = await websplat(["domains", "list", "pfd-ana"], target);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain("shop.ana-pottery.test");
    expect(pending.stdout).toContain("_websplat.shop.ana-pottery.test");
    const checked = await websplat(["domains", "check", "pfd-ana", "--json"], target);
    expect(checked.code).toBe(0);
    expect(json(checked).domains).toEqual([
      expect.objectContaining({ hostname: "shop.ana-pottery.test", status: "active" }),
    ]);

    const sites = await websplat(["sites", "list", "pfd-ana", "--json"], target);
    expect(json(sites).sites).toEqual([
      expect.objectContaining({
        name: "studio",
        url: `http://studio--pfd-ana.sites.localhost:${plane.port}`,
        liveVersion: 1,
        domains: ["shop.ana-pottery.test"],
      }),
    ]);
    expect((await websplat(["sites", "list", "pfd-nobody"], target)).code).toBe(1);
    const audit = await admin(plane, "/admin/audit?slug=pfd-ana&action=domains.check");
    expect(audit.body.entries.length).toBeGreaterThan(0);
  }, 60_000);

  it("a cancelled tenant's site and custom domain answer a neutral 503 at once; resume brings both back at once", async () => {
    const hosts = [site("pfd-ana"), "shop.ana-pottery.test"];
    const live = await hostRequest(plane.port, hosts[1]!, "/");
    expect(live.status).toBe(200);
    const sub = { id: "sub_pfd_ana", slug: "pfd-ana", lookupKey: "websplat_pro" };
    const at = Math.floor(Date.now() / 1000);
    await deliver(
      plane,
      stripeEvent("customer.subscription.created", subscription({ ...sub, status: "active" }), at),
    );
    await deliver(
      plane,
      stripeEvent("customer.subscription.deleted", subscription({ ...sub, status: "canceled" }), at + 1),
    );

    for (const host of hosts) {
      await waitFor(async () => (await hostRequest(plane.port, host, "/")).status === 503, {
        what: `${host} unavailable`,
        timeoutMs: 10_000,
      });
      const page = await hostRequest(plane.port, host, "/");
      expect(page.text()).toContain("This site is unavailable");
      expect(page.text()).not.toMatch(/WebSplat|builder|not found/i);
    }

    expect((await admin(plane, "/admin/tenants/pfd-ana/resume", { method: "POST" })).status).toBeLessThan(
      300,
    );
    // Public sites need no runtime: they are back before the tenant's reconcile finishes.
    for (const host of hosts)
      await waitFor(async () => (await hostRequest(plane.port, host, "/")).status === 200, {
        what: `${host} back`,
        timeoutMs: 3_000,
      });
    expect((await hostRequest(plane.port, hosts[1]!, "/")).text()).toBe(live.text());
  }, 60_000);
});
