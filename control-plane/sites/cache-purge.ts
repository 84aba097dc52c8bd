import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { listDomains } from "./domains.ts";
import { isHtml } from "./files.ts";
import type { SiteLookup } from "./serve.ts";

/**
 * DESIGN §15: Cloudflare caches published pages on the sites zone; after a publish, restore or unpublish the
 * site's page URLs (on its own host and its active custom domains) are purged, so visitors see the change now.
 * Off the request path: a failed purge is retried with backoff and logged, and never fails the publish.
 */
export interface CachePurge {
  /** The page paths live now, read before a change so the pages it removes are purged too. */
  pagesBefore(slug: string, site: string): Promise<string[]>;
  /** Queues the purge of these pages and of whatever is live after the change. */
  purge(slug: string, site: string, before: string[]): void;
  /** Resolves once every queued purge has succeeded or given up (tests, shutdown). */
  settled(): Promise<void>;
}

export interface CachePurgeOptions {
  config: Pick<
    Config,
    | "CLOUDFLARE_SITES_ZONE_ID"
    | "CLOUDFLARE_API_TOKEN"
    | "WEBSPLAT_CLOUDFLARE_API_URL"
    | "WEBSPLAT_SITES_DOMAIN"
  >;
  db: Database;
  lookup: SiteLookup;
  logger: Pick<Logger, "info" | "warn" | "error">;
  /** The site's own address (contract: `<site>--<slug>.<sites domain>`). */
  siteUrl: (address: { site: string; slug: string }) => string;
  /** `https` in production: the scheme of custom domains' URLs. */
  scheme: () => "http" | "https";
  /** Waits before each retry. @default 1 s, 5 s, 30 s, 2 min */
  retryDelaysMs?: number[];
}

const DEFAULT_API = "https://api.cloudflare.com/client/v4";
/** Cloudflare takes at most 30 URLs per purge request on every plan. */
const FILES_PER_REQUEST = 30;

/** The sites zone's purger, or one that does nothing when no zone is configured (one machine). */
export function cachePurge(options: CachePurgeOptions): CachePurge {
  const { config, lookup, logger } = options;
  const pagesBefore = async (slug: string, site: string) => htmlPaths(await lookup.live(slug, site));
  const zone = config.CLOUDFLARE_SITES_ZONE_ID;
  const token = config.CLOUDFLARE_API_TOKEN;
  if (!zone || !token) return { pagesBefore: async () => [], purge: () => {}, settled: async () => {} };
  const endpoint = `${(config.WEBSPLAT_CLOUDFLARE_API_URL ?? DEFAULT_API).replace(/\/$/, "")}/zones/${zone}/purge_cache`;
  const delays = options.retryDelaysMs ?? [1000, 5000, 30_000, 120_000];
  const pending = new Set<Promise<void>>();

  const send = async (files: string[]) => {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ files }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json().catch(() => null)) as {
      success?: boolean;
      errors?: Array<{ code?: number; message?: string }>;
    } | null;
    if (!response.ok || body?.success !== true) {
      const reason = body?.errors?.map((error) => `${error.code}: ${error.message}`).join("; ");
      throw new Error(`Cloudflare answered ${response.status}${reason ? ` (${reason})` : ""}`);
    }
  };

  const purgeWithRetries = async (slug: string, site: string, files: string[]) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await send(files);
        logger.info(
          { tenant: slug, site, urls: files.length },
          "site pages purged from the Cloudflare cache",
        );
        return;
      } catch (error) {
        const wait = delays[attempt];
        if (wait === undefined) {
          logger.error(
            { err: error, tenant: slug, site, urls: files },
            "could not purge site pages from the Cloudflare cache; visitors may see the old pages until they expire. Check the token's Cache Purge right on CLOUDFLARE_SITES_ZONE_ID",
          );
          return;
        }
        logger.warn(
          { err: error, tenant: slug, site, attempt: attempt + 1, retryInMs: wait },
          "purging site pages from the Cloudflare cache failed; retrying",
        );
        await new Promise((resolve) => setTimeout(resolve, wait).unref());
      }
    }
  };

  return {
    pagesBefore,
    purge(slug, site, before) {
      const work = (async () => {
        const after = await pagesBefore(slug, site);
        const domains = await listDomains(options.db, slug, site);
        const origins = [
          options.siteUrl({ site, slug }),
          ...domains
            .filter((domain) => domain.status === "active")
            .map((domain) => `${options.scheme()}://${domain.hostname}`),
        ];
        const urls = pageUrls(origins, [...new Set([...before, ...after])]);
        for (let start = 0; start < urls.length; start += FILES_PER_REQUEST)
          await purgeWithRetries(slug, site, urls.slice(start, start + FILES_PER_REQUEST));
      })().catch((error) =>
        logger.error({ err: error, tenant: slug, site }, "could not prepare a cache purge"),
      );
      pending.add(work);
      void work.finally(() => pending.delete(work));
    },
    settled: async () => {
      await Promise.all([...pending]);
    },
  };
}

function htmlPaths(live: { files: Record<string, unknown> } | null): string[] {
  return live ? Object.keys(live.files).filter(isHtml) : [];
}

/**
 * Every URL a cache may hold a page under: `about.html` is also served at `/about`, `docs/index.html` at
 * `/docs/` and `/docs`; the sitemap lists the pages, so it changes with them.
 */
export function pageUrls(origins: string[], paths: string[]): string[] {
  const routes = new Set<string>(["/sitemap.xml"]);
  for (const path of paths) {
    routes.add(`/${path}`);
    const index = /^(.*?)(^|\/)index\.html$/.exec(path);
    if (index) {
      const folder = `${index[1]}${index[2]}`;
      routes.add(`/${folder}`);
      if (folder) routes.add(`/${folder.replace(/\/$/, "")}`);
    } else routes.add(`/${path.replace(/\.html?$/, "")}`);
  }
  return origins.flatMap((origin) => [...routes].sort().map((route) => `${origin}${route}`));
}
