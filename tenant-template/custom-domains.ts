import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { TenantSpec } from "./spec.ts";

/** A tenant's custom domains in production: Cloudflare for SaaS custom hostnames on the sites zone. */
export interface CustomDomainsArgs {
  /** Hostnames the control plane verified for this tenant's sites (TXT token and CNAME checked). */
  hostnames: string[];
  /** Cloudflare zone of `WEBSPLAT_SITES_DOMAIN`, which has Cloudflare for SaaS and its fallback origin. */
  sitesZoneId: pulumi.Input<string>;
  /**
   * Cloudflare API token with SSL and Certificates edit rights on the sites zone.
   * @default the provider reads `CLOUDFLARE_API_TOKEN`
   */
  cloudflareApiToken?: pulumi.Input<string>;
  /**
   * Domains that belong to the platform and may never be a customer's.
   * @default none
   */
  platformDomains?: string[];
}

const HOSTNAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Why these hostnames cannot be declared for this tenant, or an empty list. */
export function customDomainProblems(
  spec: TenantSpec,
  args: Pick<CustomDomainsArgs, "hostnames" | "platformDomains">,
): string[] {
  const problems: string[] = [];
  if (args.hostnames.length > 0 && !spec.limits.customDomain)
    problems.push(`The ${spec.tier} tier has no custom domains.`);
  if (new Set(args.hostnames).size !== args.hostnames.length) problems.push("A hostname is listed twice.");
  for (const hostname of args.hostnames) {
    if (!HOSTNAME.test(hostname)) problems.push(`"${hostname}" is not a lowercase domain name.`);
    for (const domain of args.platformDomains ?? [])
      if (hostname === domain || hostname.endsWith(`.${domain}`))
        problems.push(`${hostname} is under the platform's domain ${domain}.`);
  }
  return problems;
}

/**
 * One custom hostname per verified domain: Cloudflare issues and renews its certificate (DV, validated over
 * HTTP once the customer's CNAME points at the sites target) and sends its traffic to the sites fallback
 * origin, where the platform routes it by host to the site.
 */
export class TenantCustomDomains extends pulumi.ComponentResource {
  /** The custom hostnames' ids, by hostname. */
  readonly ids: pulumi.Output<Record<string, string>>;

  constructor(
    name: string,
    spec: TenantSpec,
    args: CustomDomainsArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("websplat:tenant:CustomDomains", name, {}, opts);
    const parent = this;
    const problems = customDomainProblems(spec, args);
    if (problems.length > 0) throw new Error(`Custom domains of ${spec.slug}: ${problems.join(" ")}`);

    const provider = createProvider();
    const hostnames = args.hostnames.map((hostname) => createCustomHostname(hostname));
    this.ids = pulumi
      .all(hostnames.map((resource) => resource.id))
      .apply((ids) => Object.fromEntries(args.hostnames.map((hostname, i) => [hostname, ids[i]!])));
    this.registerOutputs({ ids: this.ids });

    function createProvider() {
      return new cloudflare.Provider(
        `${name}-cloudflare`,
        args.cloudflareApiToken ? { apiToken: pulumi.secret(args.cloudflareApiToken) } : {},
        { parent },
      );
    }

    function createCustomHostname(hostname: string) {
      return new cloudflare.CustomHostname(
        `${name}-${hostname.replaceAll(".", "-")}`,
        {
          zoneId: args.sitesZoneId,
          hostname,
          ssl: { method: "http", type: "dv", settings: { minTlsVersion: "1.2" } },
          customMetadata: { tenant: spec.slug, tier: spec.tier },
        },
        { parent, provider, deleteBeforeReplace: true },
      );
    }
  }
}

/** Policy rules on a declared custom hostname (the same list `stack render` output is checked against). */
export function customHostnameViolations(
  inputs: {
    hostname?: string;
    ssl?: { type?: string; method?: string; settings?: { minTlsVersion?: string } };
    customMetadata?: Record<string, string>;
  },
  tenant: string,
): string[] {
  const found: string[] = [];
  if (!inputs.hostname || !HOSTNAME.test(inputs.hostname))
    found.push("custom-hostname: a lowercase domain name");
  if (inputs.ssl?.type !== "dv")
    found.push("custom-hostname-certificate: Cloudflare issues a DV certificate");
  if (!["1.2", "1.3"].includes(inputs.ssl?.settings?.minTlsVersion ?? ""))
    found.push("custom-hostname-tls: TLS 1.2 at least");
  if (inputs.customMetadata?.tenant !== tenant)
    found.push("custom-hostname-tenant: tagged with the tenant it belongs to");
  return found;
}
