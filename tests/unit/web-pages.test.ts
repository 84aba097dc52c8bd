import { describe, expect, it } from "vitest";
import { type PriceList, tenantHostSuffix, webRoutes } from "../../control-plane/web/index.ts";

const TABLE_PRICES: PriceList = { starter: null, pro: null, studio: null };

function web(prices: () => Promise<PriceList> = async () => TABLE_PRICES) {
  return webRoutes({ publicUrl: "http://localhost:8080", baseDomain: "localhost", prices });
}

async function signupHtml(app = web(), path = "/") {
  const response = await app.request(path);
  expect(response.status).toBe(200);
  return response.text();
}

describe("signup page", () => {
  it("shows the three plans with what each includes and the tier table's prices when Stripe has none", async () => {
    const html = await signupHtml();

    for (const [title, price] of [
      ["Starter", "$19"],
      ["Pro", "$49"],
      ["Studio", "$149"],
    ]) {
      expect(html).toContain(`<span class="plan-title">${title}</span>`);
      expect(html).toContain(`<strong>${price}</strong>`);
    }
    expect(html).toContain("1 website");
    expect(html).toContain("25 million model tokens a month");
    expect(html).toContain("2 replicas, kept online during maintenance");
    expect(html).toContain("Backups kept 90 days");
  });

  it("shows Stripe's price, currency and interval when the price source has one", async () => {
    const html = await signupHtml(
      web(async () => ({ ...TABLE_PRICES, pro: { amountCents: 4550, currency: "eur", interval: "year" } })),
    );

    expect(html).toMatch(/<strong>€45\.50<\/strong> <span class="muted">\/ year<\/span>/);
  });

  it("still shows the plans, at the tier table's prices, when the price source fails", async () => {
    const html = await signupHtml(
      web(async () => {
        throw new Error("Stripe is down");
      }),
    );

    expect(html).toContain("<strong>$49</strong>");
  });

  it("pre-selects the plan named in the address, and starter otherwise", async () => {
    expect(await signupHtml(web(), "/?tier=studio")).toMatch(
      /id="tier-studio" value="studio"\s+aria-describedby="[^"]+" checked/,
    );
    expect(await signupHtml(web(), "/?tier=gold")).toMatch(
      /id="tier-starter" value="starter"\s+aria-describedby="[^"]+" checked/,
    );
  });

  it("labels every field and tells assistive technology where slug and email messages appear", async () => {
    const html = await signupHtml();

    expect(html).toContain('<label for="slug">');
    expect(html).toContain('<label for="email">');
    expect(html).toContain('aria-describedby="slug-hint slug-status"');
    expect(html).toMatch(/id="slug-status"[^>]*role="status"/);
    expect(html).toContain('<html lang="en">');
  });

  it("loads nothing from another origin and forbids it by policy", async () => {
    const response = await web().request("/");
    const html = await response.text();

    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("lets its submission continue to Stripe Checkout, and only the signup page", async () => {
    const app = web();
    const signup = (await app.request("/")).headers.get("content-security-policy");
    const legal = (await app.request("/terms")).headers.get("content-security-policy");

    expect(signup).toContain("form-action 'self' https://checkout.stripe.com;");
    expect(legal).toContain("form-action 'self';");
  });

  it("serves its own script and stylesheet", async () => {
    const app = web();
    for (const [path, type] of [
      ["/assets/web/signup.js", "text/javascript"],
      ["/assets/web/welcome.js", "text/javascript"],
      ["/assets/web/web.css", "text/css"],
    ] as const) {
      const response = await app.request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain(type);
    }
    expect((await app.request("/assets/web/nothing.js")).status).toBe(404);
  });
});

describe("provisioning page", () => {
  it("names the tenant's address and escapes what the address bar put in the slug", async () => {
    const response = await web().request("/welcome/%3Cscript%3Ealert(1)%3C%2Fscript%3E?key=k");
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;");
  });

  it("shows the tenant's host with the local port, or the production domain", async () => {
    expect(tenantHostSuffix({ publicUrl: "http://localhost:8080", baseDomain: "localhost" })).toBe(
      ".localhost:8080",
    );
    expect(tenantHostSuffix({ publicUrl: "https://websp.lat", baseDomain: "websp.lat" })).toBe(".websp.lat");
    expect(tenantHostSuffix({ publicUrl: "https://signup.websp.lat", baseDomain: "websp.lat" })).toBe(
      ".websp.lat",
    );
    expect(
      tenantHostSuffix(
        { publicUrl: "http://localhost:0", baseDomain: "localhost" },
        "http://localhost:41234/",
      ),
    ).toBe(".localhost:41234");
    expect(await (await web().request("http://localhost:8080/welcome/acme?key=k")).text()).toContain(
      "acme.localhost:8080",
    );
  });
});
