import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { TIERS, type TierName } from "../../tenant-template/index.ts";
import type { Database } from "../db/client.ts";
import { type DomainStatus, siteDomains } from "../db/schema.ts";
import { ApiError } from "../http/errors.ts";
import type { DnsCheck } from "./dns.ts";

export type SiteDomain = typeof siteDomains.$inferSelect;

export interface DomainView {
  hostname: string;
  site: string;
  status: DomainStatus;
  records: { type: "CNAME" | "TXT"; name: string; value: string }[];
  reason?: string;
  checkedAt: string | null;
}

/** Custom domains a tenant may have: two per site (say `www.` and the bare name) on plans that have them. */
export function domainLimit(tier: TierName): number {
  return TIERS[tier].customDomain ? TIERS[tier].sites * 2 : 0;
}

/** The first plan that includes custom domains, for the 403 that names it. */
function planWithDomains(): string {
  return Object.values(TIERS).find((tier) => tier.customDomain)?.title ?? "a larger plan";
}

const HOSTNAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A hostname as stored: lowercase, no trailing dot; refused when it is ours or malformed. */
export function normaliseHostname(input: string, reserved: string[]): string {
  const hostname = input.trim().toLowerCase().replace(/\.$/, "");
  if (!HOSTNAME.test(hostname))
    throw new ApiError(400, "invalid_hostname", `"${input}" is not a domain name such as www.example.com.`);
  for (const domain of reserved) {
    if (hostname === domain || hostname.endsWith(`.${domain}`))
      throw new ApiError(
        400,
        "invalid_hostname",
        `${hostname} belongs to WebSplat; use a domain of your own.`,
      );
  }
  return hostname;
}

export function domainView(domain: SiteDomain, target: string): DomainView {
  return {
    hostname: domain.hostname,
    site: domain.site,
    status: domain.status,
    records: [
      { type: "CNAME", name: domain.hostname, value: target },
      { type: "TXT", name: `_websplat.${domain.hostname}`, value: domain.token },
    ],
    ...(domain.reason ? { reason: domain.reason } : {}),
    checkedAt: domain.checkedAt?.toISOString() ?? null,
  };
}

export async function listDomains(db: Database, slug: string, site?: string): Promise<SiteDomain[]> {
  const where = site
    ? and(eq(siteDomains.slug, slug), eq(siteDomains.site, site))
    : eq(siteDomains.slug, slug);
  return await db.select().from(siteDomains).where(where).orderBy(siteDomains.hostname);
}

export async function addDomain(
  db: Database,
  tenant: { slug: string; tier: TierName },
  site: string,
  hostname: string,
): Promise<SiteDomain> {
  const limit = domainLimit(tenant.tier);
  if (limit === 0) {
    throw new ApiError(
      403,
      "plan_has_no_custom_domains",
      `The ${TIERS[tenant.tier].title} plan has no custom domains; the ${planWithDomains()} plan and above include them.`,
    );
  }
  const [existing] = await db.select().from(siteDomains).where(eq(siteDomains.hostname, hostname));
  if (existing) {
    if (existing.slug === tenant.slug && existing.site === site) return existing;
    throw new ApiError(
      409,
      "domain_taken",
      `${hostname} already belongs to another site; remove it there first.`,
    );
  }
  if ((await listDomains(db, tenant.slug)).length >= limit)
    throw new ApiError(
      403,
      "domain_limit",
      `Your plan includes ${limit} custom domains; remove one to add another.`,
    );
  const token = `websplat-verify=${randomBytes(18).toString("base64url")}`;
  const [row] = await db
    .insert(siteDomains)
    .values({ hostname, slug: tenant.slug, site, token })
    .onConflictDoNothing()
    .returning();
  if (!row)
    throw new ApiError(
      409,
      "domain_taken",
      `${hostname} already belongs to another site; remove it there first.`,
    );
  return row;
}

export async function removeDomain(db: Database, slug: string, hostname: string): Promise<SiteDomain> {
  const [row] = await db
    .delete(siteDomains)
    .where(and(eq(siteDomains.slug, slug), eq(siteDomains.hostname, hostname)))
    .returning();
  if (!row) throw new ApiError(404, "domain_not_found", `${hostname} is not one of this tenant's domains.`);
  return row;
}

/**
 * Checks one domain's records and moves it on: both records right → verified, and active once the platform
 * routes it (`routed`); a record holding something else → failed with the reason (routing stops until fixed
 * and re-checked); records not there yet → still pending, with what is missing (DNS can take a while).
 */
export async function checkDomain(
  db: Database,
  domain: SiteDomain,
  options: { lookup: DnsCheck; target: string; routed: boolean },
): Promise<SiteDomain> {
  const found = await options.lookup(domain.hostname);
  const problems: string[] = [];
  if (!found.txt.includes(domain.token)) {
    problems.push(
      found.errors.txt
        ? `TXT: ${found.errors.txt}`
        : `TXT: _websplat.${domain.hostname} holds ${found.txt.map((value) => `"${value}"`).join(", ") || "nothing"}, not "${domain.token}"`,
    );
  }
  if (!found.cname.includes(options.target)) {
    problems.push(
      found.errors.cname
        ? `CNAME: ${found.errors.cname}`
        : `CNAME: ${domain.hostname} points at ${found.cname.join(", ") || "nothing"}, not ${options.target}`,
    );
  }
  const wrong =
    (found.txt.length > 0 && !found.txt.includes(domain.token)) ||
    (found.cname.length > 0 && !found.cname.includes(options.target));
  const status: DomainStatus =
    problems.length === 0 ? (options.routed ? "active" : "verified") : wrong ? "failed" : "pending";
  const reason =
    problems.length === 0
      ? null
      : status === "pending"
        ? `${problems.join("; ")}. New DNS records can take from a few minutes to 48 hours to be seen.`
        : `${problems.join("; ")}.`;
  const [row] = await db
    .update(siteDomains)
    .set({ status, reason, checkedAt: new Date() })
    .where(eq(siteDomains.hostname, domain.hostname))
    .returning();
  return row ?? domain;
}

/** A custom domain by hostname, whatever its status (only an active one is routed). */
export async function findDomain(db: Database, hostname: string): Promise<SiteDomain | null> {
  const [row] = await db.select().from(siteDomains).where(eq(siteDomains.hostname, hostname));
  return row ?? null;
}
