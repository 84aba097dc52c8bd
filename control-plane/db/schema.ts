import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
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
    /** An unpaid reservation frees its slug after this time. */
    reservedUntil: timestamp("reserved_until", { withTimezone: true }),
    /** A cancelled tenant is deleted at this time (retention). */
    deleteAfter: timestamp("delete_after", { withTimezone: true }),
    /** Who created it: signup, checkout (a Payment Link), or admin. */
    source: text("source").$type<"signup" | "checkout" | "admin">().notNull(),
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
  (table) => [index("audit_log_slug_idx").on(table.slug, table.at)],
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
