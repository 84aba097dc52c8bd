import { randomBytes } from "node:crypto";
import { and, eq, isNull, lt, sql } from "drizzle-orm";
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
  /** When an unverified claim lapses; null once the TXT record has proved it. */
  expiresAt: string | null;
}

/** An unverified claim lapses after this long: nobody can sit on a hostname they cannot prove is theirs. */
export const CLAIM_HOURS = 72;

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

export function claimExpiry(domain: Pick<SiteDomain, "createdAt" | "verifiedAt">): Date | null {
  return domain.verifiedAt ? null : new Date(domain.createdAt.getTime() + CLAIM_HOURS * 3600_000);
}

export function domainView(domain: SiteDomain, target: string): DomainView {
  const expiresAt = claimExpiry(domain);
  // The owner is told, where they look at the domain, that an unproven claim does not last.
  const lapse = expiresAt
    ? `Not verified yet: add the TXT record and check again before ${expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC, or this claim lapses and anyone who proves the domain is theirs can use it.`
    : undefined;
  const reason = [domain.reason?.replace(/\.$/, ""), lapse].filter(Boolean).join(". ");
  return {
    hostname: domain.hostname,
    site: domain.site,
    status: domain.status,
    records: [
      { type: "CNAME", name: domain.hostname, value: target },
      { type: "TXT", name: `_websplat.${domain.hostname}`, value: domain.token },
    ],
    ...(reason ? { reason } : {}),
    checkedAt: domain.checkedAt?.toISOString() ?? null,
    expiresAt: expiresAt?.toISOString() ?? null,
  };
}

/** Deletes unverified claims past their time, so they count against nobody's plan and show nowhere. */
export async function dropLapsedClaims(db: Database): Promise<SiteDomain[]> {
  const cutoff = new Date(Date.now() - CLAIM_HOURS * 3600_000);
  return await db
    .delete(siteDomains)
    .where(and(isNull(siteDomains.verifiedAt), lt(siteDomains.createdAt, cutoff)))
    .returning();
}

export async function listDomains(db: Database, slug: string, site?: string): Promise<SiteDomain[]> {
  await dropLapsedClaims(db);
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
  await dropLapsedClaims(db);
  // Only a claim proven by its TXT record holds a hostname against others; unproven ones may coexist.
  const claims = await db.select().from(siteDomains).where(eq(siteDomains.hostname, hostname));
  const own = claims.find((claim) => claim.slug === tenant.slug);
  if (own?.site === site) return own;
  if (own)
    throw new ApiError(
      409,
      "domain_taken",
      `${hostname} is already on your site ${own.site}; remove it there first.`,
    );
  if (claims.some((claim) => claim.verifiedAt !== null))
    throw new ApiError(
      409,
      "domain_taken",
      `${hostname} is already in use by another WebSplat that proved it owns it. If the domain is yours, write to support.`,
    );
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
      `${hostname} was just added to another of your sites; remove it there first.`,
    );
  return row;
}

/**
 * The operator frees a hostname (`websplat domains release`): every claim on it, verified or not, is deleted.
 * Answers what was released; 404 when nobody claims it.
 */
export async function releaseDomain(db: Database, hostname: string): Promise<SiteDomain[]> {
  const rows = await db.delete(siteDomains).where(eq(siteDomains.hostname, hostname)).returning();
  if (rows.length === 0) throw new ApiError(404, "domain_not_found", `No tenant claims ${hostname}.`);
  return rows;
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
  const proven = found.txt.includes(domain.token);
  const now = new Date();
  // Records that do not exist yet are pending (DNS takes time); only a record holding something else fails.
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
  const where = and(eq(siteDomains.hostname, domain.hostname), eq(siteDomains.slug, domain.slug));
  try {
    const [row] = await db
      .update(siteDomains)
      .set({
        status,
        reason,
        checkedAt: now,
        // The first proof makes the hostname this tenant's; the unique index lets only one claim hold it.
        ...(proven && !domain.verifiedAt ? { verifiedAt: now } : {}),
      })
      .where(where)
      .returning();
    return row ?? domain;
  } catch (error) {
    if (
      (error as { code?: string }).code !== "23505" &&
      (error as { cause?: { code?: string } }).cause?.code !== "23505"
    )
      throw error;
    const [row] = await db
      .update(siteDomains)
      .set({
        status: "failed",
        reason: `Another WebSplat proved it owns ${domain.hostname} first. If the domain is yours, write to support.`,
        checkedAt: now,
      })
      .where(where)
      .returning();
    return row ?? domain;
  }
}

/**
 * The claim that answers for this hostname: the one that proved it, else any unproven one (so a claimed
 * hostname is answered as a site not ready yet); only an active claim is routed.
 */
export async function findDomain(db: Database, hostname: string): Promise<SiteDomain | null> {
  const [row] = await db
    .select()
    .from(siteDomains)
    .where(eq(siteDomains.hostname, hostname))
    .orderBy(sql`${siteDomains.verifiedAt} is null`, siteDomains.createdAt)
    .limit(1);
  return row ?? null;
}
