/** A request addressed to a tenant's builder host, `<slug>.<base domain>` (DESIGN §7). */
export interface TenantHost {
  /** The Host header, lower-cased, without its port. */
  host: string;
  /** The tenant's slug; null for a deeper name such as `a.b.<base domain>`, which is no tenant's. */
  slug: string | null;
}

/** The tenant host a Host header names, or undefined when it is not under the base domain. */
export function tenantHost(hostHeader: string | undefined, baseDomain: string): TenantHost | undefined {
  const host = (hostHeader ?? "").toLowerCase().replace(/:\d+$/, "");
  const suffix = `.${baseDomain}`;
  if (!host.endsWith(suffix)) return undefined;
  const slug = host.slice(0, -suffix.length);
  return { host, slug: slug && !slug.includes(".") ? slug : null };
}
