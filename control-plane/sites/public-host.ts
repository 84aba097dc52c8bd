import { isIP } from "node:net";
import type { MiddlewareHandler } from "hono";
import { parseSiteHost, type SiteAddress } from "./hosts.ts";
import { missingSite, serveFile, tenantServes, unavailableSite } from "./serve.ts";
import type { Sites } from "./service.ts";

/**
 * Public sites by host: `<site>--<slug>.<sites domain>` and active custom domains are answered here from the
 * platform's store (the tenant's runtime is never involved, and may be asleep); any other host falls through.
 * Nothing here reads or sets a cookie, so a builder session can never be used on a public page.
 */
export function publicSites(sites: Sites): MiddlewareHandler {
  const { config } = sites.services;
  const sitesSuffix = `.${config.WEBSPLAT_SITES_DOMAIN}`;
  const platformHosts = (host: string) =>
    host === config.WEBSPLAT_BASE_DOMAIN ||
    host.endsWith(`.${config.WEBSPLAT_BASE_DOMAIN}`) ||
    host === new URL(config.publicUrl).hostname ||
    !host.includes(".") ||
    isIP(host.replace(/^\[|\]$/g, "")) !== 0;
  return async (c, next) => {
    const host = (c.req.header("host") ?? "").toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
    let address: SiteAddress | null = parseSiteHost(host, config.WEBSPLAT_SITES_DOMAIN);
    if (!address && (host === config.WEBSPLAT_SITES_DOMAIN || host.endsWith(sitesSuffix)))
      return await missingSite(c, sites);
    if (!address && !platformHosts(host)) {
      const domain = await sites.domain(host);
      // A domain added but not (or no longer) verified is ours to answer, not the signup page's.
      if (domain && domain.status !== "active") return await missingSite(c, sites);
      if (domain) address = { site: domain.site, slug: domain.slug };
    }
    if (!address) return await next();

    const state = tenantServes(await sites.lookup.tenant(address.slug));
    if (state === "missing") return await missingSite(c, sites);
    if (state === "suspended") return await unavailableSite(c, sites);
    const live = await sites.lookup.live(address.slug, address.site);
    if (!live) return await missingSite(c, sites);
    const path = new URL(c.req.url).pathname;
    if (c.req.method === "POST" && path.startsWith("/_forms/"))
      return await sites.intake(c, live, path.slice("/_forms/".length));
    if (c.req.method !== "GET" && c.req.method !== "HEAD")
      return c.text("Method not allowed", 405, { allow: "GET, HEAD" });
    const origin = `${sites.services.platform.scheme}://${c.req.header("host") ?? host}`;
    return await serveFile(c, live, sites, origin);
  };
}
