import { resolve } from "node:path";
import type { Services } from "../platform-services.ts";
import { type CachePurge, cachePurge } from "./cache-purge.ts";
import { type SiteCompression, siteCompression } from "./compression.ts";
import { type DnsCheck, dnsChecker } from "./dns.ts";
import { findDomain, type SiteDomain } from "./domains.ts";
import { formIntake } from "./forms.ts";
import { type SiteAddress, siteHostname } from "./hosts.ts";
import { type SiteLookup, siteLookup } from "./serve.ts";
import { type SiteStore, siteStore } from "./store.ts";
import { siteToken, siteTokenSecret, tenantOfSiteToken } from "./token.ts";

/** Everything publishing needs, built once with the app. */
export interface Sites {
  services: Services;
  store: SiteStore;
  /** Compressed copies of what public sites serve, made once per file. */
  compression: SiteCompression;
  lookup: SiteLookup;
  dns: DnsCheck;
  intake: ReturnType<typeof formIntake>;
  /** Purges changed pages from Cloudflare's cache (nothing without CLOUDFLARE_SITES_ZONE_ID). */
  cache: CachePurge;
  /** Where custom domains point their CNAME. */
  target: string;
  /** The public address of a site (contract: `<site>--<slug>.<WEBSPLAT_SITES_DOMAIN>`). */
  url(address: SiteAddress): string;
  /** The custom domain of this host, if any (cached a second; removals evict at once). */
  domain(hostname: string): Promise<SiteDomain | null>;
  forgetDomain(hostname: string): void;
  tokenOf(slug: string): string;
  tenantOfToken(token: string): string | null;
}

export function createSites(services: Services): Sites {
  const { config, platform } = services;
  const secret = siteTokenSecret(services.ownerPrivateKey);
  const domains = new Map<string, { at: number; value: SiteDomain | null }>();
  const store = siteStore(config, resolve(config.WEBSPLAT_DATA_DIR));
  const lookup = siteLookup(services.db);
  const url = (address: SiteAddress) => {
    // Read at call time: locally the port is known only once the server listens.
    const defaultPort = platform.scheme === "https" ? 443 : 80;
    const port = platform.publicPort && platform.publicPort !== defaultPort ? `:${platform.publicPort}` : "";
    return `${platform.scheme}://${siteHostname(address, config.WEBSPLAT_SITES_DOMAIN)}${port}`;
  };
  return {
    services,
    store,
    compression: siteCompression(services.metrics.registry),
    lookup,
    cache: cachePurge({
      config,
      db: services.db,
      lookup,
      logger: services.logger,
      siteUrl: url,
      scheme: () => platform.scheme,
    }),
    dns: dnsChecker(config.WEBSPLAT_DNS_RESOLVER),
    intake: formIntake({ db: services.db, store, perMinute: config.WEBSPLAT_FORMS_PER_MINUTE }),
    target: config.sitesTarget,
    url,
    async domain(hostname) {
      const hit = domains.get(hostname);
      if (hit && Date.now() - hit.at < 1000) return hit.value;
      const value = await findDomain(services.db, hostname);
      if (domains.size > 10_000) domains.clear();
      domains.set(hostname, { at: Date.now(), value });
      return value;
    },
    forgetDomain: (hostname) => void domains.delete(hostname),
    tokenOf: (slug) => siteToken(secret, slug),
    tenantOfToken: (token) => tenantOfSiteToken(secret, token),
  };
}
