import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface EmailDomainArgs {
  provider: cloudflare.Provider;
  /** Cloudflare zone of `domain`. */
  zoneId: string;
  /** The base domain mail is sent from (`SMTP_FROM` is an address on it). */
  domain: string;
  region: string;
  /**
   * What receivers do with mail that fails DMARC.
   * @default "quarantine"
   */
  dmarcPolicy?: "none" | "quarantine" | "reject";
  /**
   * Mailbox receiving DMARC aggregate reports.
   * @default none: no reports are asked for
   */
  dmarcReports?: string;
}

/** Label of the MAIL FROM domain under the base domain: `mail` is a reserved slug, so no tenant can own it. */
export const MAIL_FROM_LABEL = "mail";
/** Easy DKIM publishes three selectors for every domain identity. */
const DKIM_SELECTORS = 3;

/**
 * Sign-in and notification mail through Amazon SES: the domain identity with Easy DKIM, a custom MAIL FROM
 * domain (SPF aligned with the sender), SPF on the domain itself and a DMARC policy, all in Cloudflare DNS.
 */
export class EmailDomain extends pulumi.ComponentResource {
  /** ARN of the SES identity: what the control plane may send as. */
  readonly identityArn: pulumi.Output<string>;
  /** The MAIL FROM domain (bounces and SPF). */
  readonly mailFromDomain: string;

  constructor(name: string, args: EmailDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super("websplat:platform:EmailDomain", name, {}, opts);
    const parent = this;
    const dns = { parent, provider: args.provider };
    this.mailFromDomain = `${MAIL_FROM_LABEL}.${args.domain}`;

    const identity = new aws.sesv2.EmailIdentity(
      `${name}-identity`,
      { emailIdentity: args.domain },
      { parent },
    );
    new aws.sesv2.EmailIdentityMailFromAttributes(
      `${name}-mail-from`,
      {
        emailIdentity: identity.emailIdentity,
        mailFromDomain: this.mailFromDomain,
        behaviorOnMxFailure: "USE_DEFAULT_VALUE",
      },
      { parent },
    );
    createDkimRecords(identity);
    createMailFromRecords(this.mailFromDomain);
    createPolicyRecords();
    this.identityArn = identity.arn;
    this.registerOutputs({ identityArn: this.identityArn });

    function record(label: string, inputs: Omit<cloudflare.DnsRecordArgs, "zoneId" | "ttl">) {
      return new cloudflare.DnsRecord(
        `${name}-${label}`,
        { zoneId: args.zoneId, ttl: 1, comment: "websplat email (SES)", ...inputs },
        dns,
      );
    }

    function createDkimRecords(identity: aws.sesv2.EmailIdentity) {
      for (let index = 0; index < DKIM_SELECTORS; index++) {
        const token = identity.dkimSigningAttributes.apply((dkim) => dkim.tokens[index] ?? "");
        record(`dkim-${index}`, {
          name: pulumi.interpolate`${token}._domainkey.${args.domain}`,
          type: "CNAME",
          content: pulumi.interpolate`${token}.dkim.amazonses.com`,
          // DNS-only: receivers must see SES's key, not Cloudflare's edge.
          proxied: false,
        });
      }
    }

    function createMailFromRecords(mailFrom: string) {
      record("mail-from-mx", {
        name: mailFrom,
        type: "MX",
        content: `feedback-smtp.${args.region}.amazonses.com`,
        priority: 10,
      });
      record("mail-from-spf", {
        name: mailFrom,
        type: "TXT",
        content: '"v=spf1 include:amazonses.com ~all"',
      });
    }

    function createPolicyRecords() {
      record("spf", { name: args.domain, type: "TXT", content: '"v=spf1 include:amazonses.com ~all"' });
      const reports = args.dmarcReports ? `; rua=mailto:${args.dmarcReports}` : "";
      record("dmarc", {
        name: `_dmarc.${args.domain}`,
        type: "TXT",
        content: `"v=DMARC1; p=${args.dmarcPolicy ?? "quarantine"}; adkim=r; aspf=r${reports}"`,
      });
    }
  }
}
