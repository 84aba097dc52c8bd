import { z } from "zod";

/** DESIGN §8: every variable validated at start; a bad value stops start with one line naming it. */
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

const environment = z.object({
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
  WEBSPLAT_BASE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, "must be a lowercase domain such as localhost or websp.lat")
    .default("localhost"),
  WEBSPLAT_PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  WEBSPLAT_ADMIN_TOKEN: optionalString.pipe(z.string().min(24, "must be at least 24 characters").optional()),
  WEBSPLAT_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
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
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export type Environment = z.infer<typeof environment>;

export interface Config extends Environment {
  /** Where the control plane binds. */
  host: string;
  /** The control plane's public URL (signup, checkout, webhooks). */
  publicUrl: string;
  /** Local mode: no Stripe account, the checkout is our own test-payment page. */
  localBilling: boolean;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
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
  const host = values.HOST ?? (values.WEBSPLAT_DRIVER === "local" ? "127.0.0.1" : "0.0.0.0");
  const publicUrl = (values.WEBSPLAT_PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/$/, "");
  return { ...values, host, publicUrl, localBilling: !values.STRIPE_SECRET_KEY };
}

/** Never echoed back in an error line. */
const SECRET_VARIABLES = new Set([
  "DATABASE_URL",
  "WEBSPLAT_ADMIN_TOKEN",
  "WEBSPLAT_OWNER_SIGNING_KEY",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "OPENAI_API_KEY",
]);

function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}
