import { SLUG_PATTERN } from "../../tenant-template/index.ts";

/** The parts of a public site's address `<site>--<slug>.<sites domain>` (DESIGN §12, contract). */
export interface SiteAddress {
  site: string;
  slug: string;
}

/** A DNS label is at most 63 characters: the site name gets what the slug and `--` leave. */
export function maxSiteNameLength(slug: string): number {
  return Math.min(32, 63 - 2 - slug.length);
}

/** Parses a request's host (port and case ignored); null when it is not a site address. */
export function parseSiteHost(host: string, sitesDomain: string): SiteAddress | null {
  const name = host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  const suffix = `.${sitesDomain}`;
  if (!name.endsWith(suffix)) return null;
  const label = name.slice(0, -suffix.length);
  const split = label.indexOf("--");
  if (split < 0 || label.includes(".")) return null;
  const site = label.slice(0, split);
  const slug = label.slice(split + 2);
  if (!SLUG_PATTERN.test(site) || !SLUG_PATTERN.test(slug) || slug.includes("--")) return null;
  return { site, slug };
}

export function siteHostname(address: SiteAddress, sitesDomain: string): string {
  return `${address.site}--${address.slug}.${sitesDomain}`;
}

/** A site name from a project name: the slug rules, shortened to fit the address. */
export function siteNameFrom(projectName: string, slug: string): string {
  const max = maxSiteNameLength(slug);
  let name = projectName
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, max)
    .replace(/-+$/, "");
  if (name.length < 3) name = `site${name ? `-${name}` : ""}`.slice(0, max).replace(/-+$/, "");
  return name;
}

/** Why `name` cannot be a site of `slug`, or null. */
export function siteNameProblem(name: string, slug: string): string | null {
  if (!SLUG_PATTERN.test(name) || name.includes("--"))
    return "A site name uses 3 to 32 lowercase letters, digits and single hyphens, starting with a letter.";
  if (name.length > maxSiteNameLength(slug))
    return `With the tenant "${slug}", a site name may have at most ${maxSiteNameLength(slug)} characters (the address is one DNS label).`;
  return null;
}
