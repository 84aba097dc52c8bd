import { z } from "zod";

const tiers = ["starter", "pro", "studio"] as const;
export type Tier = (typeof tiers)[number];

const positiveInt = z.coerce.number().int().positive();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z.url().refine((value) => /^postgres(ql)?:\/\//.test(value), "must be a postgres:// URL"),
  WEBSPLAT_DB_SCHEMA: z.string().regex(/^t_[a-z0-9_]+$/, "must look like t_<slug>"),
  WEBSPLAT_TENANT: z.string().regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, "must be a tenant slug"),
  WEBSPLAT_TIER: z.enum(tiers),
  WEBSPLAT_PUBLIC_URL: z.url(),
  WEBSPLAT_OWNER_EMAIL: z.email(),
  WEBSPLAT_OWNER_PUBLIC_KEY: z
    .string()
    .includes("BEGIN PUBLIC KEY", { message: "must be a PEM (SPKI) public key" }),
  WEBSPLAT_LIMIT_SITES: positiveInt,
  WEBSPLAT_LIMIT_TOKENS_PER_MONTH: positiveInt,
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().min(1).optional(),
  /** The platform's model proxy, called with this runtime's platform token; the platform holds the model key. */
  WEBSPLAT_MODEL_URL: z.url().optional(),
  /** Bearer token of `/metrics`; unset, metrics are served to loopback only. */
  WEBSPLAT_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** The platform's tenant API (publishing, billing, feedback, own uptime) and this runtime's credentials; unset, they are off. */
  WEBSPLAT_PLATFORM_URL: z.url().optional(),
  WEBSPLAT_PLATFORM_TOKEN: z.string().min(16).optional(),
  WEBSPLAT_SUPPORT_EMAIL: z.email().default("support@websp.lat"),
  /** The platform's public URL (sign-in by email, billing); derived from WEBSPLAT_PUBLIC_URL when unset. */
  WEBSPLAT_CONTROL_PLANE_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** The tenant's own publishing credential (never the admin token). */
  WEBSPLAT_SITES_TOKEN: z
    .string()
    .regex(/^wsp_[a-z0-9-]+_[0-9a-f]{64}$/, "must be the tenant's site token (wsp_…)")
    .optional(),
  /** OTLP/HTTP endpoint of a trace collector (the platform passes its own); unset, no trace is recorded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().trim().optional(),
  /** Milliseconds between streamed chunks of the offline model; makes progress visible, 0 in bulk tests. */
  WEBSPLAT_OFFLINE_PACE_MS: z.coerce.number().int().min(0).max(1000).default(12),
});

export interface RuntimeConfig {
  port: number;
  host: string;
  databaseUrl: string;
  schema: string;
  tenant: string;
  tier: Tier;
  publicUrl: string;
  ownerEmail: string;
  ownerPublicKey: string;
  limits: { sites: number; tokensPerMonth: number };
  /** Where the model is: the platform's proxy (with this tenant's credential) or, run alone, an OpenAI API. */
  model: { apiKey?: string; baseUrl?: string; name?: string; headers?: Record<string, string> };
  logLevel: string;
  offlinePaceMs: number;
  metricsToken?: string;
  /** The platform's publishing API and this tenant's credential for it. */
  publishing?: { platformUrl: string; token: string };
  /** The platform's tenant API, when the driver gave one. */
  platform?: { url: string; token: string };
  supportEmail: string;
  /** The platform's public URL: `https://websp.lat` for `https://acme.websp.lat`. */
  controlPlaneUrl: string;
  platformToken?: string;
  /** Where traces are exported; none: tracing is off. */
  tracesEndpoint?: string;
}

export class ConfigError extends Error {
  readonly code = "invalid_config";
}

/** Reads the launch contract from the environment; the first bad variable is named in one line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(blankAsUnset);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    const message = issue.code === "invalid_type" && env[name] === undefined ? "is required" : issue.message;
    throw new ConfigError(`${name} ${message}`);
  }
  const e = parsed.data;
  if (e.WEBSPLAT_MODEL_URL && !e.WEBSPLAT_PLATFORM_TOKEN)
    throw new ConfigError(
      "WEBSPLAT_MODEL_URL needs WEBSPLAT_PLATFORM_TOKEN, the credential the model proxy asks for",
    );
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    schema: e.WEBSPLAT_DB_SCHEMA,
    tenant: e.WEBSPLAT_TENANT,
    tier: e.WEBSPLAT_TIER,
    publicUrl: e.WEBSPLAT_PUBLIC_URL,
    ownerEmail: e.WEBSPLAT_OWNER_EMAIL,
    ownerPublicKey: e.WEBSPLAT_OWNER_PUBLIC_KEY,
    limits: { sites: e.WEBSPLAT_LIMIT_SITES, tokensPerMonth: e.WEBSPLAT_LIMIT_TOKENS_PER_MONTH },
    model: e.WEBSPLAT_MODEL_URL
      ? {
          baseUrl: e.WEBSPLAT_MODEL_URL,
          apiKey: e.WEBSPLAT_PLATFORM_TOKEN,
          name: e.OPENAI_MODEL,
          headers: { "x-websplat-tenant": e.WEBSPLAT_TENANT },
        }
      : { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL, name: e.OPENAI_MODEL },
    logLevel: e.LOG_LEVEL,
    offlinePaceMs: e.WEBSPLAT_OFFLINE_PACE_MS,
    metricsToken: e.WEBSPLAT_METRICS_TOKEN,
    publishing:
      e.WEBSPLAT_PLATFORM_URL && e.WEBSPLAT_SITES_TOKEN
        ? { platformUrl: e.WEBSPLAT_PLATFORM_URL.replace(/\/$/, ""), token: e.WEBSPLAT_SITES_TOKEN }
        : undefined,
    platform:
      e.WEBSPLAT_PLATFORM_URL && e.WEBSPLAT_PLATFORM_TOKEN
        ? { url: e.WEBSPLAT_PLATFORM_URL.replace(/\/$/, ""), token: e.WEBSPLAT_PLATFORM_TOKEN }
        : undefined,
    supportEmail: e.WEBSPLAT_SUPPORT_EMAIL,
    controlPlaneUrl: (e.WEBSPLAT_CONTROL_PLANE_URL ?? platformUrlOf(e.WEBSPLAT_PUBLIC_URL)).replace(
      /\/$/,
      "",
    ),
    platformToken: e.WEBSPLAT_PLATFORM_TOKEN,
    tracesEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  };
}

/** The tenant's host is `<slug>.<base domain>`: the platform is the base domain, same scheme and port. */
function platformUrlOf(publicUrl: string): string {
  const url = new URL(publicUrl);
  url.hostname = url.hostname.split(".").slice(1).join(".") || url.hostname;
  return url.origin;
}
