import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** The control plane's own tables live in their own schema; PUBLIC has no rights on it. */
export const controlPlane = pgSchema("control_plane");

export const TENANT_STATUSES = [
  "awaiting_payment",
  "provisioning",
  "active",
  "suspended",
  "deleting",
  "deleted",
  "failed",
] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export const DESIRED_STATES = ["active", "suspended", "deleted"] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

export interface ErrorInfo {
  code: string;
  message: string;
}

export const tenants = controlPlane.table(
  "tenants",
  {
    slug: text("slug").primaryKey(),
    email: text("email").notNull(),
    tier: text("tier").$type<"starter" | "pro" | "studio">().notNull(),
    /** Desired state: what billing and admins asked for. */
    desired: text("desired").$type<DesiredState>().notNull(),
    /** Bumped with every change of desired state or tier. */
    generation: integer("generation").notNull().default(1),
    /** Observed state: what the last reconcile made real. */
    status: text("status").$type<TenantStatus>().notNull(),
    observedGeneration: integer("observed_generation").notNull().default(0),
    lastError: jsonb("last_error").$type<ErrorInfo | null>(),
    outputs: jsonb("outputs").$type<Record<string, unknown> | null>(),
    /** Payment overdue: the tenant keeps running and its owner sees a banner. */
    grace: boolean("grace").notNull().default(false),
    stripeCustomerId: text("stripe_customer_id"),
    stripeSubscriptionId: text("stripe_subscription_id"),
    /** `created` of the last subscription event applied: older ones are ignored. */
    subscriptionEventAt: bigint("subscription_event_at", { mode: "number" }),
    invoiceEventAt: bigint("invoice_event_at", { mode: "number" }),
    /** Hash of the key in the welcome page's URL. */
    welcomeKeyHash: text("welcome_key_hash"),
    /** The welcome key stops working at this time (it is short-lived). */
    welcomeKeyExpiresAt: timestamp("welcome_key_expires_at", { withTimezone: true }),
    /** Set when the welcome key issued its one sign-in link: it cannot mint another. */
    welcomeLinkIssuedAt: timestamp("welcome_link_issued_at", { withTimezone: true }),
    /** The one checkout session that may pay for this reservation; any other is refused. */
    checkoutSessionId: text("checkout_session_id"),
    /** Who made the reservation (lowercased email, client address): caps open reservations per buyer. */
    reservedByEmail: text("reserved_by_email"),
    reservedByClient: text("reserved_by_client"),
    /** An unpaid reservation frees its slug after this time. */
    reservedUntil: timestamp("reserved_until", { withTimezone: true }),
    /** A cancelled tenant is deleted at this time (retention). */
    deleteAfter: timestamp("delete_after", { withTimezone: true }),
    /** Who created it: signup, checkout (a Payment Link), or admin. */
    source: text("source").$type<"signup" | "checkout" | "admin">().notNull(),
    /** Bought by `websplat check journey`: never counted in the KPIs nor probed for the status page. */
    check: boolean("check").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("tenants_status_idx").on(table.status),
    index("tenants_created_idx").on(table.createdAt, table.slug),
    uniqueIndex("tenants_subscription_idx")
      .on(table.stripeSubscriptionId)
      .where(sql`${table.stripeSubscriptionId} is not null`),
    index("tenants_customer_idx").on(table.stripeCustomerId),
    index("tenants_reservations_idx")
      .on(table.reservedUntil)
      .where(sql`${table.status} = 'awaiting_payment'`),
    index("tenants_check_idx").on(table.createdAt).where(sql`${table.check}`),
    index("tenants_lagging_idx")
      .on(table.slug)
      .where(sql`${table.observedGeneration} < ${table.generation} or ${table.deleteAfter} is not null`),
  ],
);

export const stripeEvents = controlPlane.table(
  "stripe_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    /** Stripe's `created` (seconds). */
    created: bigint("created", { mode: "number" }).notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    /** `data.object.id`: finds earlier events about the same subscription. */
    objectId: text("object_id"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    /** What processing did: applied, ignored (and why), rejected. */
    outcome: text("outcome"),
    tenantSlug: text("tenant_slug"),
  },
  (table) => [
    index("stripe_events_object_idx").on(table.objectId, table.created),
    index("stripe_events_pending_idx").on(table.receivedAt).where(sql`${table.processedAt} is null`),
    // KPIs (stats/) count events by type over a time window.
    index("stripe_events_type_idx").on(table.type, table.created),
  ],
);

export const OPERATION_KINDS = ["reconcile", "preview", "refresh", "cancel", "destroy"] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];
export const OPERATION_STATUSES = ["queued", "running", "succeeded", "failed", "interrupted"] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export const operations = controlPlane.table(
  "operations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    kind: text("kind").$type<OperationKind>().notNull(),
    status: text("status").$type<OperationStatus>().notNull().default("queued"),
    /** Generation of desired state the operation worked towards. */
    generation: integer("generation"),
    attempt: integer("attempt").notNull().default(0),
    reason: text("reason").notNull(),
    error: jsonb("error").$type<ErrorInfo | null>(),
    result: jsonb("result"),
    jobId: text("job_id"),
    /** Advisory-lock key of the control-plane instance running it: a free lock means that instance died. */
    instanceKey: integer("instance_key"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (table) => [
    index("operations_slug_idx").on(table.slug, table.createdAt),
    index("operations_open_idx").on(table.status).where(sql`${table.status} in ('queued', 'running')`),
  ],
);

export const operationLogs = controlPlane.table(
  "operation_logs",
  {
    operationId: uuid("operation_id")
      .notNull()
      .references(() => operations.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    level: text("level").$type<"info" | "warn" | "error">().notNull(),
    step: text("step"),
    message: text("message").notNull(),
  },
  (table) => [primaryKey({ columns: [table.operationId, table.seq] })],
);

/** Checkout sessions of the local test-payment page (local mode only). */
export const localCheckouts = controlPlane.table("local_checkouts", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull(),
  email: text("email").notNull(),
  tier: text("tier").notNull(),
  customerId: text("customer_id").notNull(),
  successUrl: text("success_url").notNull(),
  cancelUrl: text("cancel_url").notNull(),
  completedAt: timestamp("completed_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  /** Like a Stripe session, a local checkout cannot be paid after this time. */
  expiresAt: timestamp("expires_at", { withTimezone: true }),
});

/** Who did what: admin actions, owner links, billing transitions. */
export const auditLog = controlPlane.table(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    slug: text("slug"),
    details: jsonb("details").$type<Record<string, unknown>>(),
  },
  (table) => [
    index("audit_log_slug_idx").on(table.slug, table.at),
    // KPIs (stats/) count entries by action over a time window.
    index("audit_log_action_idx").on(table.action, table.at),
  ],
);

/**
 * Named admin bearer tokens, stored as their SHA-256 only: shown once when created, revoked rather than
 * deleted so the audit log keeps resolving. The bootstrap token (WEBSPLAT_ADMIN_TOKEN or the data dir's
 * admin-token) is not in this table and always works.
 */
export const adminTokens = controlPlane.table("admin_tokens", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  createdBy: text("created_by").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

/** A published file of a site version: its content hash (the blob's name in the site store) and metadata. */
export interface SiteFile {
  hash: string;
  size: number;
  type: string;
  /** Pages are rewritten when published: the hash of the page as the runtime sent it. */
  source?: string;
  /** The platform forms a page posts to (`/_forms/<name>`); absent on pages published before it was kept. */
  forms?: string[];
}

/**
 * Published sites (DESIGN §12): one row per tenant project that was ever published. `liveVersion` null means
 * unpublished (the public host answers 404); versions are kept so any of them can be restored.
 */
export const sites = controlPlane.table(
  "sites",
  {
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    projectId: text("project_id").notNull(),
    liveVersion: integer("live_version"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.slug, table.name] }),
    uniqueIndex("sites_project_idx").on(table.slug, table.projectId),
  ],
);

/** Immutable published versions: the files as served (path → blob), and the checkpoint they came from. */
export const siteVersions = controlPlane.table(
  "site_versions",
  {
    slug: text("slug").notNull(),
    site: text("site").notNull(),
    version: integer("version").notNull(),
    checkpointId: text("checkpoint_id").notNull(),
    files: jsonb("files").$type<Record<string, SiteFile>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.slug, table.site, table.version] })],
);

export const DOMAIN_STATUSES = ["pending", "verified", "active", "failed"] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

/**
 * Custom-domain claims, one per tenant and hostname, each with its own TXT token. A claim holds the hostname
 * against other tenants only once its TXT record proved ownership (`verifiedAt`): at most one verified claim
 * per hostname. Unverified claims lapse (control-plane/sites/domains.ts).
 */
export const siteDomains = controlPlane.table(
  "site_domains",
  {
    hostname: text("hostname").notNull(),
    slug: text("slug").notNull(),
    site: text("site").notNull(),
    token: text("token").notNull(),
    status: text("status").$type<DomainStatus>().notNull().default("pending"),
    reason: text("reason"),
    checkedAt: timestamp("checked_at", { withTimezone: true }),
    /** When the TXT record first proved the claim; from then on the hostname is this tenant's. */
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.hostname, table.slug] }),
    index("site_domains_slug_idx").on(table.slug, table.site),
    uniqueIndex("site_domains_held_idx").on(table.hostname).where(sql`${table.verifiedAt} is not null`),
  ],
);

/**
 * Form submissions waiting for their tenant's runtime: the runtime claims them into its own schema and they
 * are deleted here, so a site's forms work while its runtime sleeps.
 */
export const siteSubmissionQueue = controlPlane.table(
  "site_submission_queue",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    site: text("site").notNull(),
    form: text("form").notNull(),
    page: text("page").notNull(),
    fields: jsonb("fields").$type<Record<string, string>>().notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("site_submission_queue_slug_idx").on(table.slug, table.receivedAt)],
);

// ── Operations (DESIGN §14): synthetic probes, incidents, owner feedback ──────────────────────────

/** What a probe checks: a tenant's runtime through its public path, a platform component, a published site. */
export const PROBE_KINDS = ["tenant", "component", "site"] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];
/** `idle`: a scaled-to-zero runtime, asleep on purpose; neither up nor down. */
export type ProbeState = "up" | "down" | "idle";

/** Probe results at one-minute resolution for the last days (several checks in one minute add up). */
export const probeMinutes = controlPlane.table(
  "probe_minutes",
  {
    kind: text("kind").$type<ProbeKind>().notNull(),
    target: text("target").notNull(),
    minute: timestamp("minute", { withTimezone: true }).notNull(),
    checks: integer("checks").notNull(),
    failures: integer("failures").notNull(),
    idle: integer("idle").notNull().default(0),
    latencyMsSum: integer("latency_ms_sum").notNull(),
    latencyMsMax: integer("latency_ms_max").notNull(),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
  },
  (table) => [
    primaryKey({ columns: [table.kind, table.target, table.minute] }),
    index("probe_minutes_minute_idx").on(table.minute),
  ],
);

/** Older probe results rolled up by hour (kept 90 days, what the status page's uptime reads). */
export const probeHours = controlPlane.table(
  "probe_hours",
  {
    kind: text("kind").$type<ProbeKind>().notNull(),
    target: text("target").notNull(),
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    checks: integer("checks").notNull(),
    failures: integer("failures").notNull(),
    idle: integer("idle").notNull().default(0),
    latencyMsSum: bigint("latency_ms_sum", { mode: "number" }).notNull(),
    latencyMsMax: integer("latency_ms_max").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.kind, table.target, table.hour] }),
    index("probe_hours_hour_idx").on(table.hour),
  ],
);

/** Each target's current state: consecutive failures decide when an alert fires and clears. */
export const probeTargets = controlPlane.table(
  "probe_targets",
  {
    kind: text("kind").$type<ProbeKind>().notNull(),
    target: text("target").notNull(),
    state: text("state").$type<ProbeState>().notNull(),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    alerting: boolean("alerting").notNull().default(false),
    /** Since when the target is in its current state. */
    since: timestamp("since", { withTimezone: true }).notNull().defaultNow(),
    lastCheckedAt: timestamp("last_checked_at", { withTimezone: true }).notNull().defaultNow(),
    lastLatencyMs: integer("last_latency_ms"),
    lastError: text("last_error"),
  },
  (table) => [primaryKey({ columns: [table.kind, table.target] })],
);

/** An alert's lifetime: opened after N failed probes in a row, resolved on the first success. */
export const probeIncidents = controlPlane.table(
  "probe_incidents",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").$type<ProbeKind>().notNull(),
    target: text("target").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    error: text("error"),
  },
  (table) => [
    index("probe_incidents_started_idx").on(table.startedAt),
    index("probe_incidents_open_idx").on(table.kind, table.target).where(sql`${table.resolvedAt} is null`),
  ],
);

/** What owners sent from the builder's "Help and feedback" form, for operators. */
export const feedback = controlPlane.table(
  "feedback",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    slug: text("slug").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    message: text("message").notNull(),
    /** The owner agreed to be contacted about it (at the tenant's email). */
    mayContact: boolean("may_contact").notNull(),
    /** Where in the builder it was sent from, e.g. the project open at the time. */
    page: text("page"),
  },
  (table) => [index("feedback_at_idx").on(table.at)],
);
/**
 * What each builder reported of its finished runs (the runtime owns its `runs` table; the platform keeps only
 * these figures): one row per run, so a report sent twice counts once.
 */
export const builderRuns = controlPlane.table(
  "builder_runs",
  {
    slug: text("slug").notNull(),
    runId: text("run_id").notNull(),
    status: text("status").$type<"completed" | "stopped" | "failed">().notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.slug, table.runId] }),
    index("builder_runs_finished_at_idx").on(table.finishedAt),
  ],
);
/**
 * Model tokens each tenant's runtime spent through the platform's model proxy, per calendar month (UTC): what
 * the monthly allowance is checked against, and the ceiling of what a builder may report of its runs.
 */
export const modelUsage = controlPlane.table(
  "model_usage",
  {
    slug: text("slug").notNull(),
    /** The first day of the month, UTC. */
    month: date("month", { mode: "string" }).notNull(),
    promptTokens: bigint("prompt_tokens", { mode: "number" }).notNull().default(0),
    completionTokens: bigint("completion_tokens", { mode: "number" }).notNull().default(0),
    calls: bigint("calls", { mode: "number" }).notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.slug, table.month] })],
);
/**
 * Every published-file blob a tenant uploaded, with its size: the tenant's storage against its tier's quota,
 * and what the collector removes once no version refers to it. `touchedAt` is its last upload or check.
 */
export const siteBlobs = controlPlane.table(
  "site_blobs",
  {
    slug: text("slug").notNull(),
    hash: text("hash").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull(),
    touchedAt: timestamp("touched_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.slug, table.hash] })],
);
/**
 * One-time links sent by email: sign-in (to one or several tenants of the address) and confirmation of a
 * new owner email. Only the SHA-256 of the token is stored; `usedAt` makes a link work once.
 */
export const emailLinks = controlPlane.table(
  "email_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    purpose: text("purpose").$type<"sign_in" | "email_change">().notNull(),
    /** Where the link was sent: the owner's address, or the new one being confirmed. */
    email: text("email").notNull(),
    /** Tenants the link opens (sign-in), or the tenant whose owner email changes. */
    slugs: jsonb("slugs").$type<string[]>().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("email_links_expires_idx").on(table.expiresAt)],
);

/** Sessions of the local billing portal page (local mode only), opened from a tenant's builder. */
export const localPortalSessions = controlPlane.table("local_portal_sessions", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull(),
  returnUrl: text("return_url").notNull(),
  /** Sites the tenant has, as its runtime reported: downgrades below it are explained first. */
  sites: integer("sites").notNull().default(0),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
