import { describe, expect, it } from "vitest";
import { loadConfig } from "../../control-plane/config.ts";
import { parseSiteHost, siteNameFrom, siteNameProblem } from "../../control-plane/sites/hosts.ts";
import { publishHtml } from "../../control-plane/sites/html.ts";
import { siteToken, tenantOfSiteToken } from "../../control-plane/sites/token.ts";
import { buildOffline } from "../support/runtime/offline-build.ts";

describe("site addresses", () => {
  it("parse `<site>--<slug>.<sites domain>` and nothing else", () => {
    expect(parseSiteHost("Shop--Acme.sites.localhost:8080", "sites.localhost")).toEqual({
      site: "shop",
      slug: "acme",
    });
    for (const host of [
      "acme.sites.localhost",
      "a--acme.sites.localhost",
      "shop--acme.localhost",
      "x.shop--acme.sites.localhost",
      "shop--ac--me.sites.localhost",
    ])
      expect(parseSiteHost(host, "sites.localhost"), host).toBeNull();
  });

  it("a site name from a project name follows the slug rules and fits one DNS label", () => {
    expect(siteNameFrom("Rosa's Bakery!", "acme")).toBe("rosa-s-bakery");
    expect(siteNameFrom("42", "acme")).toBe("site");
    const long = siteNameFrom(
      "A very long project name that goes on and on",
      "a-thirty-two-character-slug-abcd",
    );
    expect(`${long}--a-thirty-two-character-slug-abcd`.length).toBeLessThanOrEqual(63);
    expect(siteNameProblem(long, "a-thirty-two-character-slug-abcd")).toBeNull();
  });
});

describe("published pages", () => {
  const assets = new Map([["styles.css", "a".repeat(64)]]);

  it("link their own assets by content hash and leave external links alone", () => {
    const page = publishHtml(
      '<link rel="stylesheet" href="styles.css"><a href="https://example.com/styles.css">x</a><a href="#menu">m</a>',
      "index.html",
      assets,
    );
    expect(page).toBe(
      `<link rel="stylesheet" href="/_assets/${"a".repeat(64)}.css"><a href="https://example.com/styles.css">x</a><a href="#menu">m</a>`,
    );
  });

  it("post their own forms to the platform with a honeypot, and leave forms that post elsewhere alone", () => {
    const page = publishHtml(
      '<form class="contact" action="#" method="post"><input name="email"></form><form action="https://pay.example" method="post"></form><form method="get"></form>',
      "index.html",
      assets,
    );
    expect(page).toContain(
      '<form class="contact" method="post" action="/_forms/contact"><p style="position:absolute;left:-10000px" aria-hidden="true">',
    );
    expect(page).toContain(
      '<form action="https://pay.example" method="post"></form><form method="get"></form>',
    );
  });

  it("at autonomy 0 a site gets no form the owner did not ask for", async () => {
    const plain = await buildOffline(
      "A website for Rosa's bakery in Lyon with an about section and the menu",
      {
        autonomy: 0,
        creativity: 2,
        seed: 1,
      },
    );
    expect(publishHtml(plain.html, "index.html", assets)).not.toContain("/_forms/");
    const asked = await buildOffline("A website for Rosa's bakery with an about section and a contact form", {
      autonomy: 0,
      creativity: 2,
      seed: 1,
    });
    expect(publishHtml(asked.html, "index.html", assets)).toContain('action="/_forms/contact"');
  });
});

describe("site tokens and configuration", () => {
  it("a site token names one tenant and cannot be turned into another's", () => {
    const token = siteToken("secret", "acme");
    expect(tenantOfSiteToken("secret", token)).toBe("acme");
    expect(tenantOfSiteToken("secret", token.replace("wsp_acme_", "wsp_other_"))).toBeNull();
    expect(tenantOfSiteToken("another-secret", token)).toBeNull();
  });

  it("the sites domain defaults to sites.localhost, and may not hold the builder's domain", () => {
    expect(loadConfig({}).WEBSPLAT_SITES_DOMAIN).toBe("sites.localhost");
    expect(loadConfig({}).sitesTarget).toBe("cname.sites.localhost");
    expect(() =>
      loadConfig({ WEBSPLAT_BASE_DOMAIN: "websp.lat", WEBSPLAT_SITES_DOMAIN: "websp.lat" }),
    ).toThrow(/own domain/);
    expect(() => loadConfig({ WEBSPLAT_DNS_RESOLVER: "dns.google" })).toThrow(/WEBSPLAT_DNS_RESOLVER/);
    expect(loadConfig({ WEBSPLAT_DNS_RESOLVER: "127.0.0.1:5353" }).WEBSPLAT_DNS_RESOLVER).toBe(
      "127.0.0.1:5353",
    );
  });
});
