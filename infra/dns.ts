import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface ZoneRecordsArgs {
  provider: cloudflare.Provider;
  zoneId: string;
  domain: string;
  /** The ingress load balancer everything points at. */
  ingressHostname: pulumi.Input<string>;
}

/** The zone's own records: the apex and `www` (signup) and `app` (control plane API), all through the ingress. */
export class ZoneRecords extends pulumi.ComponentResource {
  /** Hostnames the control plane answers on. */
  readonly hostnames: string[];

  constructor(name: string, args: ZoneRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:ZoneRecords", name, {}, opts);
    this.hostnames = [args.domain, `www.${args.domain}`, `app.${args.domain}`];
    for (const [label, hostname] of [
      ["apex", args.domain],
      ["www", `www.${args.domain}`],
      ["app", `app.${args.domain}`],
    ] as const) {
      new cloudflare.DnsRecord(
        `${name}-${label}`,
        {
          zoneId: args.zoneId,
          name: hostname,
          // Cloudflare flattens a CNAME at the apex.
          type: "CNAME",
          content: args.ingressHostname,
          proxied: true,
          ttl: 1,
          comment: "websplat platform",
        },
        { parent: this, provider: args.provider },
      );
    }
    this.registerOutputs({});
  }
}
