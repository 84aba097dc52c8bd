import { isIP } from "node:net";
import { z } from "zod";
import type { PulumiSettings } from "../stacks/pulumi/config.ts";
import { emailTransportOf, productionProblems } from "./config-production.ts";
import { pulumiProblems, pulumiSettings } from "./config-pulumi.ts";

/** DESIGN §8: every variable validated at start; a bad value stops start with one line naming it. */
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

/** Variables of the machine a runtime inherits; nothing of the control plane's own secrets. */
const MACHINE_VARIABLES = [
  "PATH",
  "HOME",
  "LANG",
  "LC_ALL",
  "TZ",
  "TMPDIR",
  "NODE_ENV",
  "NODE_OPTIONS",
] as const;

const variables = z.object({
  // An empty PORT= (a blank line in .env) means unset: the default, not a random port.
  PORT: z.preprocess(
    (value) => (typeof value === "string" && !value.trim() ? undefined : value),
    z.coerce.number().int().min(0).max(65535).default(8080),
  ),
  HOST: optionalString,
  WEBSPLAT_DATA_DIR: z.string().min(1).default(".data"),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
      .optional(),
  ),
  WEBSPLAT_DRIVER: z.enum(["local", "pulumi"]).default("local"),
  /** `all`: the whole control plane; `sites`: only published sites and custom domains (a public-traffic pool). */
  WEBSPLAT_ROLE: z.enum(["all", "sites"]).default("all"),
  WEBSPLAT_BASE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a lowercase domain such as localhost or websp.lat")
    .default("localhost"),
  WEBSPLAT_PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  WEBSPLAT_ADMIN_TOKEN: optionalString.pipe(z.string().min(24, "must be at least 24 characters").optional()),
  WEBSPLAT_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  WEBSPLAT_RESERVATION_HOURS: z.coerce.number().positive().max(24).default(24),
  WEBSPLAT_TRUSTED_PROXY: optionalString.pipe(
    z
      .string()
      .refine(
        (value) => value.split(",").every(isAddressOrRange),
        "must be a comma-separated list of IP addresses or CIDR ranges, such as 10.0.0.0/8",
      )
      .optional(),
  ),
  WEBSPLAT_METRICS_TOKEN: optionalString.pipe(
    z.string().min(16, "must be at least 16 characters").optional(),
  ),
  WEBSPLAT_RECONCILE_RETRIES: z.coerce.number().int().min(0).max(100).default(8),
  WEBSPLAT_IDLE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(900),
  WEBSPLAT_WORKERS: z.coerce.number().int().min(1).max(64).default(8),
  WEBSPLAT_RUNTIME_ENTRY: optionalString,
  WEBSPLAT_BACKUP_BUCKET: optionalString,
  WEBSPLAT_BACKUP_PREFIX: optionalString,
  WEBSPLAT_S3_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  AWS_REGION: optionalString,
  STRIPE_SECRET_KEY: optionalString.pipe(
    z
      .string()
      .regex(/^(sk|rk)_(test|live)_/, "must start with sk_test_, sk_live_, rk_test_ or rk_live_")
      .optional(),
  ),
  STRIPE_WEBHOOK_SECRET: optionalString.pipe(
    z.string().startsWith("whsec_", "must start with whsec_").optional(),
  ),
  WEBSPLAT_OWNER_SIGNING_KEY: optionalString.pipe(
    z.string().includes("PRIVATE KEY", { message: "must be a PEM private key (Ed25519)" }).optional(),
  ),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString.pipe(z.url().optional()),
  OPENAI_MODEL: optionalString,
  // Publishing (DESIGN §12): public sites live on their own registrable domain, never the builder's.
  WEBSPLAT_SITES_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a lowercase domain such as sites.localhost")
    .default("sites.localhost"),
  WEBSPLAT_SITES_TARGET: optionalString.pipe(
    z
      .string()
      .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a hostname such as cname.sites.example")
      .optional(),
  ),
  WEBSPLAT_SITES_BUCKET: optionalString,
  WEBSPLAT_DNS_RESOLVER: optionalString.pipe(
    z
      .string()
      .regex(
        /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])(:\d{1,5})?(,(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])(:\d{1,5})?)*$/i,
        "must be resolver addresses such as 1.1.1.1 or 127.0.0.1:5353 (comma-separated)",
      )
      .optional(),
  ),
  WEBSPLAT_FORMS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  // The model proxy, per tenant: calls in any minute, and calls (streams included) open at once.
  WEBSPLAT_MODEL_CALLS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  WEBSPLAT_MODEL_CONCURRENT_CALLS: z.coerce.number().int().min(1).max(1000).default(4),
  // Synthetic probes (control-plane/probes/): seconds between rounds (0 turns them off), failures in a row
  // that raise an alert, and how long one probe may take.
  WEBSPLAT_PROBE_INTERVAL_SECONDS: z.coerce.number().min(0).max(3600).default(60),
  WEBSPLAT_PROBE_FAILURES: z.coerce.number().int().min(1).max(100).default(3),
  WEBSPLAT_PROBE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Where owners and customers write for help; shown in every page footer and in emails. */
  WEBSPLAT_SUPPORT_EMAIL: optionalString.pipe(z.email("must be an email address").optional()),
  /** Who runs this WebSplat service, as the Terms name the other party to the contract. */
  WEBSPLAT_OPERATOR_NAME: optionalString.pipe(
    z.string().max(200).default("the operator of this WebSplat service"),
  ),
  /** Whose law governs the Terms and where disputes go, e.g. "England and Wales"; unset, the operator's own. */
  WEBSPLAT_JURISDICTION: optionalString.pipe(z.string().max(200).optional()),
  /** OTLP/HTTP endpoint of a trace collector; unset, no trace is recorded or exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** How email leaves: SES (the pod's AWS identity), SMTP_URL, files in the outbox, or not at all. */
  WEBSPLAT_EMAIL_TRANSPORT: optionalString.pipe(z.enum(["ses", "smtp", "outbox", "off"]).optional()),
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(
        /^smtps?:\/\/[^/\s]+/,
        "must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587",
      )
      .optional(),
  ),
  SMTP_FROM: optionalString.pipe(
    z
      .string()
      .regex(
        /^([^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/,
        'must be an address such as "WebSplat <hello@websp.lat>"',
      )
      .optional(),
  ),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  /** `pretty`: one readable line per event; `json`: pino's JSON lines. Unset: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: optionalString.pipe(z.enum(["pretty", "json"]).optional()),
  // What tenants are built from (DESIGN §5); the defaults fit this machine, the Pulumi driver needs its own.
  WEBSPLAT_RUNTIME_IMAGE: optionalString,
  WEBSPLAT_INGRESS_NAMESPACE: z.string().trim().min(1).default("ingress-nginx"),
  WEBSPLAT_INGRESS_CLASS: z.string().trim().min(1).default("nginx"),
  WEBSPLAT_INGRESS_HOSTNAME: optionalString,
  WEBSPLAT_TENANT_DB_HOST: optionalString,
  WEBSPLAT_TENANT_DB_CIDR: optionalString,
  // The Pulumi driver (DESIGN §10); checked together below, only when it is the driver.
  PULUMI_BACKEND_URL: optionalString,
  PULUMI_CONFIG_PASSPHRASE: optionalString,
  PULUMI_SECRETS_PROVIDER: optionalString,
  PULUMI_HOME: optionalString,
  KUBECONFIG: optionalString,
  KUBERNETES_SERVICE_HOST: optionalString,
  CLOUDFLARE_API_TOKEN: optionalString,
  CLOUDFLARE_ZONE_ID: optionalString,
  /** The sites domain's own zone: published HTML is purged from Cloudflare's cache there on every publish. */
  CLOUDFLARE_SITES_ZONE_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[0-9a-f]{32}$/, "must be a 32-character hex zone id")
      .optional(),
  ),
  /** Cloudflare's API (a fake on loopback in tests). @default https://api.cloudflare.com/client/v4 */
  WEBSPLAT_CLOUDFLARE_API_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  PGSSLROOTCERT: optionalString,
  WEBSPLAT_POLICY_PACK: optionalString,
  WEBSPLAT_PULUMI_PLUGIN_DIR: optionalString,
  WEBSPLAT_PULUMI_MAX_OPERATIONS: optionalString,
  WEBSPLAT_CLUSTER_REBUILT: optionalString,
  // What tenant runtimes and the embedded PostgreSQL inherit from this machine, verbatim.
  PATH: z.string().optional(),
  HOME: z.string().optional(),
  LANG: z.string().optional(),
  LC_ALL: z.string().optional(),
  TZ: z.string().optional(),
  TMPDIR: z.string().optional(),
  NODE_ENV: z.string().optional(),
  NODE_OPTIONS: z.string().optional(),
});

export type Environment = z.infer<typeof variables>;

/** Every variable the control plane reads (the machine's own, such as PATH, aside): docs/parity.md names each. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(variables.shape).filter(
  (name) => !(MACHINE_VARIABLES as readonly string[]).includes(name),
);
export type EmailTransportKind = NonNullable<Environment["WEBSPLAT_EMAIL_TRANSPORT"]>;

/** The driver's own rules, checked together so one line names everything it still needs. */
const environment = variables.superRefine((values, ctx) => {
  if (values.WEBSPLAT_DRIVER !== "pulumi") return;
  // A sites-only process runs no tenant operations: the driver's own settings are not its to hold.
  const problems = [
    ...(values.WEBSPLAT_ROLE === "all" ? pulumiProblems(values) : []),
    ...productionProblems(values),
  ];
  for (const message of problems)
    ctx.addIssue({ code: "custom", path: ["WEBSPLAT_DRIVER"], message, params: { driver: "pulumi" } });
});

export interface Config extends Environment {
  /** Where the control plane binds. */
  host: string;
  /** The control plane's public URL (signup, checkout, webhooks). */
  publicUrl: string;
  /** Local mode: no Stripe account, the checkout is our own test-payment page. */
  localBilling: boolean;
  /** The hostname custom domains point their CNAME at. */
  sitesTarget: string;
  /** Sender of every email: SMTP_FROM, or no-reply at the base domain. */
  emailFrom: string;
  /** How email is sent: WEBSPLAT_EMAIL_TRANSPORT, else SMTP when SMTP_URL is set, else the outbox. */
  emailTransport: EmailTransportKind;
  /** The image tenants' runtimes run (the local driver runs the code of this checkout instead). */
  runtimeImage: string;
  /** The ingress tenants' hosts point at. */
  ingressHostname: string;
  /** What tenant runtimes and the embedded PostgreSQL inherit from this machine (PATH, HOME, locale…). */
  machineEnv: Record<string, string>;
  /** The Pulumi driver's settings; null with the local driver. */
  pulumi: PulumiSettings | null;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  /** Every problem found, one sentence each (the message has the first, or all of the driver's). */
  readonly problems: string[];
  constructor(message: string, problems: string[] = [message]) {
    super(message);
    this.problems = problems;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const driver = parsed.error.issues
      .filter((issue) => issue.code === "custom" && issue.params?.driver === "pulumi")
      .map((issue) => issue.message);
    if (driver.length > 0)
      throw new ConfigError(`WEBSPLAT_DRIVER=pulumi needs more configuration: ${driver.join(" ")}`, driver);
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? "environment");
    const value = SECRET_VARIABLES.has(variable) ? undefined : env[variable];
    throw new ConfigError(
      `Invalid ${variable}${value === undefined ? "" : ` (${JSON.stringify(shorten(value))})`}: ${issue.message}. See .env.example.`,
    );
  }
  const values = parsed.data;
  if (values.STRIPE_SECRET_KEY && !values.STRIPE_WEBHOOK_SECRET) {
    throw new ConfigError(
      "STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set: copy the signing secret of your webhook endpoint (or of `stripe listen`).",
    );
  }
  if (values.WEBSPLAT_ROLE === "sites" && !values.DATABASE_URL) {
    throw new ConfigError(
      "WEBSPLAT_ROLE=sites needs DATABASE_URL: the platform's database, where the whole platform (WEBSPLAT_ROLE=all) records what is published.",
    );
  }
  const host = values.HOST ?? (values.WEBSPLAT_DRIVER === "local" ? "127.0.0.1" : "0.0.0.0");
  const publicUrl = (values.WEBSPLAT_PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/$/, "");
  if (
    values.WEBSPLAT_SITES_DOMAIN === values.WEBSPLAT_BASE_DOMAIN ||
    values.WEBSPLAT_BASE_DOMAIN.endsWith(`.${values.WEBSPLAT_SITES_DOMAIN}`)
  ) {
    throw new ConfigError(
      `WEBSPLAT_SITES_DOMAIN (${values.WEBSPLAT_SITES_DOMAIN}) must not contain WEBSPLAT_BASE_DOMAIN: published sites need their own domain so they can never read builder cookies.`,
    );
  }
  const sitesTarget = values.WEBSPLAT_SITES_TARGET ?? `cname.${values.WEBSPLAT_SITES_DOMAIN}`;
  if (values.SMTP_URL && !values.SMTP_FROM) {
    throw new ConfigError(
      'SMTP_FROM is required when SMTP_URL is set: the sender address of every email, e.g. "WebSplat <hello@websp.lat>".',
    );
  }
  const emailTransport = emailTransportOf(values);
  if (emailTransport === "smtp" && !values.SMTP_URL) {
    throw new ConfigError(
      "WEBSPLAT_EMAIL_TRANSPORT=smtp needs SMTP_URL: the server to send through, e.g. smtp://user:pass@mail.example.com:587.",
    );
  }
  if (emailTransport === "ses" && (!values.AWS_REGION || !values.SMTP_FROM)) {
    throw new ConfigError(
      'WEBSPLAT_EMAIL_TRANSPORT=ses needs AWS_REGION (the SES region) and SMTP_FROM (a sender SES verified, e.g. "WebSplat <hello@websp.lat>").',
    );
  }
  if (values.CLOUDFLARE_SITES_ZONE_ID && !values.CLOUDFLARE_API_TOKEN) {
    throw new ConfigError(
      "CLOUDFLARE_SITES_ZONE_ID needs CLOUDFLARE_API_TOKEN: a token with Cache Purge rights on the sites zone.",
    );
  }
  const emailFrom = values.SMTP_FROM ?? `WebSplat <no-reply@${values.WEBSPLAT_BASE_DOMAIN}>`;
  return {
    ...values,
    host,
    publicUrl,
    localBilling: !values.STRIPE_SECRET_KEY,
    sitesTarget,
    emailFrom,
    emailTransport,
    runtimeImage: values.WEBSPLAT_RUNTIME_IMAGE ?? "websplat/agent-runtime:local",
    ingressHostname: values.WEBSPLAT_INGRESS_HOSTNAME ?? "localhost",
    machineEnv: Object.fromEntries(
      MACHINE_VARIABLES.flatMap((name) => (values[name] ? [[name, values[name]]] : [])),
    ),
    pulumi:
      values.WEBSPLAT_DRIVER === "pulumi" && values.WEBSPLAT_ROLE === "all" ? pulumiSettings(values) : null,
  };
}

/** Never echoed back in an error line. */
const SECRET_VARIABLES = new Set([
  "DATABASE_URL",
  "WEBSPLAT_ADMIN_TOKEN",
  "WEBSPLAT_OWNER_SIGNING_KEY",
  "WEBSPLAT_METRICS_TOKEN",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "OPENAI_API_KEY",
  "SMTP_URL",
  "PULUMI_CONFIG_PASSPHRASE",
  "KUBECONFIG",
  "CLOUDFLARE_API_TOKEN",
]);

function isAddressOrRange(entry: string): boolean {
  const [address = "", bits, extra] = entry.trim().split("/");
  if (extra !== undefined || isIP(address) === 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 6 ? 128 : 32));
}

function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}
