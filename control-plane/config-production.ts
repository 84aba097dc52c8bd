import type { EmailTransportKind, Environment } from "./config.ts";

/** How email leaves when WEBSPLAT_EMAIL_TRANSPORT is unset: SMTP when a server is named, else the outbox. */
export function emailTransportOf(values: Environment): EmailTransportKind {
  return values.WEBSPLAT_EMAIL_TRANSPORT ?? (values.SMTP_URL ? "smtp" : "outbox");
}

/**
 * DESIGN §15: with WEBSPLAT_DRIVER=pulumi, every default that only suits one machine is refused, one sentence
 * per problem naming the variable and what to set. A `sites` process is checked only for what it serves.
 */
export function productionProblems(values: Environment): string[] {
  const problems: string[] = [];
  const everyRole = (problem: string | false) => problem && problems.push(problem);
  const wholePlatform = (problem: string | false) =>
    values.WEBSPLAT_ROLE === "all" && problem && problems.push(problem);

  const base = values.WEBSPLAT_BASE_DOMAIN;
  everyRole(
    isLocalhost(base) &&
      `WEBSPLAT_BASE_DOMAIN is ${base}: set the platform's domain (websp.lat), under which tenants get their hosts.`,
  );
  const sites = values.WEBSPLAT_SITES_DOMAIN;
  everyRole(
    isLocalhost(sites) &&
      `WEBSPLAT_SITES_DOMAIN is ${sites}: set the registrable domain published sites are served on (websplat:sitesDomain).`,
  );
  everyRole(
    !isLocalhost(sites) &&
      (sites === base || sites.endsWith(`.${base}`)) &&
      `WEBSPLAT_SITES_DOMAIN ${sites} is inside WEBSPLAT_BASE_DOMAIN ${base}: published sites need a registrable domain of their own, so their pages can never read or set builder cookies.`,
  );
  everyRole(publicUrlProblem(values.WEBSPLAT_PUBLIC_URL));
  everyRole(
    !values.WEBSPLAT_TRUSTED_PROXY &&
      "WEBSPLAT_TRUSTED_PROXY is not set: give the ingress's address range (such as the cluster's pod CIDR), or every client looks like the ingress and per-client limits become global.",
  );
  everyRole(
    !values.WEBSPLAT_METRICS_TOKEN &&
      "WEBSPLAT_METRICS_TOKEN is not set: without it /metrics answers only loopback, which no scraper in the cluster is; set a token of 16+ characters and give it to the scraper.",
  );
  everyRole(
    values.WEBSPLAT_ROLE === "sites" &&
      !values.DATABASE_URL &&
      "DATABASE_URL is not set: a sites process reads publications from the platform's Postgres, never an embedded one.",
  );
  everyRole(
    !values.WEBSPLAT_SITES_BUCKET &&
      !values.WEBSPLAT_BACKUP_BUCKET &&
      "Neither WEBSPLAT_SITES_BUCKET nor WEBSPLAT_BACKUP_BUCKET is set: published files would live in this pod's data dir, lost with it and unseen by every other replica.",
  );

  const transport = emailTransportOf(values);
  wholePlatform(
    transport === "outbox" &&
      `${values.WEBSPLAT_EMAIL_TRANSPORT ? "WEBSPLAT_EMAIL_TRANSPORT is outbox" : "No email transport is configured"}: mail would be files in the pod's data dir and lost, so owners could never sign in from a new device; set WEBSPLAT_EMAIL_TRANSPORT=ses (with AWS_REGION and SMTP_FROM) or SMTP_URL, or WEBSPLAT_EMAIL_TRANSPORT=off to send no email at all.`,
  );
  wholePlatform(
    !values.WEBSPLAT_ADMIN_TOKEN &&
      "WEBSPLAT_ADMIN_TOKEN is not set: a generated token would differ per replica and change on every restart; set one of 24+ characters.",
  );
  wholePlatform(
    !values.WEBSPLAT_OWNER_SIGNING_KEY &&
      "WEBSPLAT_OWNER_SIGNING_KEY is not set: a generated key would differ per replica, so sign-in links and tenant credentials would fail at random; set an Ed25519 PEM private key (openssl genpkey -algorithm ed25519).",
  );
  wholePlatform(
    !values.STRIPE_SECRET_KEY &&
      "STRIPE_SECRET_KEY is not set: checkout would be the local test-payment page; set the account's secret key (sk_live_… or rk_live_…) and STRIPE_WEBHOOK_SECRET.",
  );
  wholePlatform(
    !values.WEBSPLAT_BACKUP_BUCKET &&
      "WEBSPLAT_BACKUP_BUCKET is not set: backups and exports would be kept in the pod's data dir and lost with it; set the backup bucket's name.",
  );
  wholePlatform(
    !values.OPENAI_API_KEY &&
      !values.OPENAI_BASE_URL &&
      "Neither OPENAI_API_KEY nor OPENAI_BASE_URL is set: tenants would build with the offline model; set a model key (or an OpenAI-compatible OPENAI_BASE_URL).",
  );
  return problems;
}

function isLocalhost(domain: string): boolean {
  return domain === "localhost" || domain.endsWith(".localhost");
}

const LOOPBACK = /^(localhost|.*\.localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)$/;

function publicUrlProblem(publicUrl: string | undefined): string | false {
  if (!publicUrl)
    return "WEBSPLAT_PUBLIC_URL is not set: give the platform's public https:// address (https://websp.lat); links in email, Stripe return URLs and tenant URLs are built from it.";
  const url = new URL(publicUrl);
  if (LOOPBACK.test(url.hostname))
    return `WEBSPLAT_PUBLIC_URL ${publicUrl} names this machine: give the platform's public https:// address (https://websp.lat).`;
  if (url.protocol !== "https:")
    return `WEBSPLAT_PUBLIC_URL ${publicUrl} is not https: give the platform's public https:// address, so session cookies are Secure and HSTS is sent.`;
  return false;
}
