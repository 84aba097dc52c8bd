import { sql } from "drizzle-orm";
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

// Tables carry no schema: the runtime's connection sets search_path to the tenant's own schema,
// so the same migrations serve every tenant.

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

/** One-time sign-in tokens already exchanged (by `jti`), so a link works once. */
export const signInTokens = pgTable("sign_in_tokens", {
  jti: text("jti").primaryKey(),
  email: text("email").notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Owner sessions; only the SHA-256 of the cookie value is stored. */
export const ownerSessions = pgTable("owner_sessions", {
  idHash: text("id_hash").primaryKey(),
  email: text("email").notNull(),
  createdAt: createdAt(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
});

export const projects = pgTable("projects", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  /** The structured spec of what the owner asked for, updated by every prompt. */
  spec: jsonb("spec").notNull().default(sql`'{}'::jsonb`),
  createdAt: createdAt(),
});

export const branches = pgTable(
  "branches",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id),
    name: text("name").notNull(),
    headCheckpointId: uuid("head_checkpoint_id"),
  },
  (t) => [uniqueIndex("branches_project_name").on(t.projectId, t.name)],
);

/** File contents, addressed by their SHA-256: identical files are stored once. */
export const blobs = pgTable("blobs", {
  hash: text("hash").primaryKey(),
  content: text("content").notNull(),
  size: integer("size").notNull(),
});

/** A snapshot of the site's files: path → blob hash, addressed by the hash of its entries. */
export const trees = pgTable("trees", {
  hash: text("hash").primaryKey(),
  entries: jsonb("entries").$type<Record<string, string>>().notNull(),
});

export const checkpoints = pgTable(
  "checkpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id),
    branchId: uuid("branch_id")
      .notNull()
      .references(() => branches.id),
    parentId: uuid("parent_id"),
    runId: uuid("run_id"),
    /** initial | plan | design | build | review | stop | restore */
    kind: text("kind").notNull(),
    label: text("label").notNull(),
    treeHash: text("tree_hash")
      .notNull()
      .references(() => trees.hash),
    workflow: jsonb("workflow").notNull(),
    /** The messages visible at this point, so conversation can be restored. */
    conversation: jsonb("conversation").$type<string[]>().notNull(),
    restoreScope: text("restore_scope"),
    restoredFromId: uuid("restored_from_id"),
    createdAt: createdAt(),
  },
  (t) => [index("checkpoints_project").on(t.projectId, t.createdAt)],
);

export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seq: bigserial("seq", { mode: "number" }).notNull(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id),
    runId: uuid("run_id"),
    role: text("role").notNull(),
    content: text("content").notNull(),
    /** Set by a rollback that hid this message; history is kept. */
    supersededAt: timestamp("superseded_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("messages_project").on(t.projectId, t.seq)],
);

export const runs = pgTable(
  "runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id),
    status: text("status").notNull(),
    prompt: text("prompt").notNull(),
    autonomy: integer("autonomy").notNull(),
    creativity: integer("creativity").notNull(),
    seed: integer("seed").notNull(),
    policy: jsonb("policy").notNull(),
    workflow: jsonb("workflow").notNull(),
    baseCheckpointId: uuid("base_checkpoint_id"),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    error: jsonb("error"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("runs_project").on(t.projectId, t.createdAt), index("runs_status").on(t.status)],
);

/** One agent step of a run; the key makes a retried or resumed step idempotent. */
export const steps = pgTable(
  "steps",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id),
    key: text("key").notNull(),
    agent: text("agent").notNull(),
    status: text("status").notNull(),
    fingerprint: text("fingerprint"),
    checkpointId: uuid("checkpoint_id"),
    error: jsonb("error"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("steps_run_key").on(t.runId, t.key)],
);

/** Append-only: the SSE stream replays it from `Last-Event-ID`. */
export const runEvents = pgTable(
  "run_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id),
    type: text("type").notNull(),
    data: jsonb("data").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("run_events_run").on(t.runId, t.id)],
);

/** What a run waits for or offers: plan approval, question, suggestion, budget, loop. */
export const interrupts = pgTable(
  "interrupts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id),
    kind: text("kind").notNull(),
    /** open | resolved | accepted | dismissed */
    status: text("status").notNull().default("open"),
    payload: jsonb("payload").notNull(),
    answer: jsonb("answer"),
    createdAt: createdAt(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [index("interrupts_run").on(t.runId)],
);

/** Model tokens spent, per call; monthly budgets sum it by `month` (YYYY-MM, UTC). */
export const usageLedger = pgTable(
  "usage_ledger",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id),
    stepKey: text("step_key").notNull(),
    model: text("model").notNull(),
    month: text("month").notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("usage_ledger_month").on(t.month)],
);

/** Steering prompts sent while a run was busy, consumed at its next step boundary. */
export const steering = pgTable(
  "steering",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id),
    text: text("text").notNull(),
    consumedAt: timestamp("consumed_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index("steering_run").on(t.runId)],
);

/** Form submissions of the tenant's published sites, delivered by the platform (DESIGN §12). */
export const formSubmissions = pgTable(
  "form_submissions",
  {
    id: uuid("id").primaryKey(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id),
    site: text("site").notNull(),
    form: text("form").notNull(),
    page: text("page").notNull(),
    fields: jsonb("fields").$type<Record<string, string>>().notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("form_submissions_project").on(t.projectId, t.receivedAt)],
);
