import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface SitesZoneArgs {
  provider: cloudflare.Provider;
  /** Cloudflare zone of the sites domain (its own registrable domain, never inside the base domain). */
  zoneId: string;
  /** The sites domain, e.g. `websplat.site`: sites are `<site>--<slug>.<sitesDomain>`. */
  domain: string;
  /** The ingress load balancer the sites Deployment is reached through. */
  ingressHostname: pulumi.Input<string>;
  /**
   * Seconds Cloudflare keeps a published page (HTML) before asking the origin again; publishing purges it sooner.
   * @default 60
   */
  htmlEdgeSeconds?: number;
}

/** Content-hashed assets of a published site: the same path never holds other bytes. */
export const ASSET_PATH_PREFIX = "/_assets/";
/** Form posts of published sites: never cached. */
export const FORMS_PATH_PREFIX = "/_forms/";
const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The sites domain in Cloudflare: a proxied wildcard for every published site, the Cloudflare for SaaS fallback
 * origin that customers' custom hostnames CNAME to, and cache rules (hashed assets immutable, HTML short-lived).
 * Cache Rules, custom hostnames and the fallback origin are on every plan; nothing here is Enterprise-only.
 */
export class SitesZone extends pulumi.ComponentResource {
  /** `cname.<sitesDomain>`: the fallback origin and the target of customers' CNAMEs (`WEBSPLAT_SITES_TARGET`). */
  readonly target: string;
  /** Hostnames the sites Deployment answers on by name (custom hostnames arrive with any other name). */
  readonly hostnames: string[];

  constructor(name: string, args: SitesZoneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:SitesZone", name, {}, opts);
    const options = { parent: this, provider: args.provider };
    this.target = `cname.${args.domain}`;
    this.hostnames = [`*.${args.domain}`, this.target];

    const records = createRecords(this.target);
    createFallbackOrigin(this.target, records);
    createTlsMode();
    createCacheRules();
    this.registerOutputs({ target: this.target });

    function createRecords(target: string) {
      return [
        ["wildcard", `*.${args.domain}`],
        ["target", target],
      ].map(
        ([label, hostname]) =>
          new cloudflare.DnsRecord(
            `${name}-${label}`,
            {
              zoneId: args.zoneId,
              name: hostname as string,
              type: "CNAME",
              content: args.ingressHostname,
              proxied: true,
              ttl: 1,
              comment: "websplat published sites",
            },
            options,
          ),
      );
    }

    /** Custom hostnames without an origin of their own (the only kind below Enterprise) go here. */
    function createFallbackOrigin(target: string, records: cloudflare.DnsRecord[]) {
      new cloudflare.CustomHostnameFallbackOrigin(
        `${name}-fallback-origin`,
        { zoneId: args.zoneId, origin: target },
        { ...options, dependsOn: records },
      );
    }

    /**
     * Full, not strict: a custom hostname reaches the origin under its own name, which no origin certificate can
     * hold (custom origin SNI is Enterprise-only). The load balancer admits Cloudflare's ranges only.
     */
    function createTlsMode() {
      new cloudflare.ZoneSetting(
        `${name}-ssl`,
        { zoneId: args.zoneId, settingId: "ssl", value: "full" },
        options,
      );
      new cloudflare.ZoneSetting(
        `${name}-always-https`,
        { zoneId: args.zoneId, settingId: "always_use_https", value: "on" },
        options,
      );
    }

    function createCacheRules() {
      const path = "http.request.uri.path";
      new cloudflare.Ruleset(
        `${name}-cache`,
        {
          zoneId: args.zoneId,
          name: "websplat published sites",
          description: "Hashed assets immutable, HTML short-lived (purged on publish), forms never cached.",
          kind: "zone",
          phase: "http_request_cache_settings",
          rules: [
            {
              description: "content-hashed assets",
              expression: `starts_with(${path}, "${ASSET_PATH_PREFIX}")`,
              action: "set_cache_settings",
              actionParameters: {
                cache: true,
                edgeTtl: { mode: "override_origin", default: YEAR_SECONDS },
                browserTtl: { mode: "override_origin", default: YEAR_SECONDS },
              },
              enabled: true,
            },
            {
              description: "published pages",
              expression: `not starts_with(${path}, "${ASSET_PATH_PREFIX}") and not starts_with(${path}, "${FORMS_PATH_PREFIX}")`,
              action: "set_cache_settings",
              actionParameters: {
                cache: true,
                edgeTtl: { mode: "override_origin", default: args.htmlEdgeSeconds ?? 60 },
                browserTtl: { mode: "respect_origin" },
              },
              enabled: true,
            },
            {
              description: "form posts",
              expression: `starts_with(${path}, "${FORMS_PATH_PREFIX}")`,
              action: "set_cache_settings",
              actionParameters: { cache: false },
              enabled: true,
            },
          ],
        },
        options,
      );
    }
  }
}
