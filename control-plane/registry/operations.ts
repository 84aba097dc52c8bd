import { EventEmitter } from "node:events";
import { and, asc, desc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import {
  type ErrorInfo,
  type OperationKind,
  type OperationStatus,
  operationLogs,
  operations,
} from "../db/schema.ts";

export type Operation = typeof operations.$inferSelect;
export type LogLine = {
  seq: number;
  at: string;
  level: "info" | "warn" | "error";
  step: string | null;
  message: string;
};

export interface OperationView {
  id: string;
  slug: string;
  kind: OperationKind;
  status: OperationStatus;
  generation: number | null;
  attempt: number;
  reason: string;
  error: ErrorInfo | null;
  result: unknown;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  log?: LogLine[];
}

export function operationView(operation: Operation, log?: LogLine[]): OperationView {
  return {
    id: operation.id,
    slug: operation.slug,
    kind: operation.kind,
    status: operation.status,
    generation: operation.generation,
    attempt: operation.attempt,
    reason: operation.reason,
    error: operation.error ?? null,
    result: operation.result ?? null,
    createdAt: operation.createdAt.toISOString(),
    startedAt: operation.startedAt?.toISOString() ?? null,
    finishedAt: operation.finishedAt?.toISOString() ?? null,
    ...(log ? { log } : {}),
  };
}

export const FINISHED: ReadonlySet<OperationStatus> = new Set(["succeeded", "failed", "interrupted"]);

/**
 * Operations and their log lines. Lines are written to Postgres (the record) and announced in-process
 * (so the welcome page and `ops logs --follow` see them at once); readers poll as a fallback.
 */
export class OperationLog {
  readonly #db: Database;
  readonly #events = new EventEmitter();
  readonly #seq = new Map<string, number>();
  readonly #tails = new Map<string, Promise<void>>();

  constructor(db: Database) {
    this.#db = db;
    this.#events.setMaxListeners(0);
  }

  async create(input: { slug: string; kind: OperationKind; reason: string; generation?: number | null }) {
    const [row] = await this.#db
      .insert(operations)
      .values({
        slug: input.slug,
        kind: input.kind,
        reason: input.reason,
        generation: input.generation ?? null,
      })
      .returning();
    this.#seq.set(row!.id, 0);
    return row!;
  }

  async get(id: string): Promise<Operation | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const [row] = await this.#db.select().from(operations).where(eq(operations.id, id));
    return row ?? null;
  }

  async update(
    id: string,
    patch: Partial<
      Pick<Operation, "status" | "error" | "result" | "attempt" | "jobId" | "instanceKey" | "generation">
    > & {
      started?: boolean;
      finished?: boolean;
    },
  ): Promise<void> {
    const { started, finished, ...values } = patch;
    // Lines are written in the background; an operation is finished only once all of them are in.
    if (finished) await this.#tails.get(id)?.catch(() => {});
    await this.#db
      .update(operations)
      .set({
        ...values,
        ...(started ? { startedAt: new Date() } : {}),
        ...(finished ? { finishedAt: new Date() } : {}),
      })
      .where(eq(operations.id, id));
    this.#events.emit(`status:${id}`);
    if (finished) this.#seq.delete(id);
  }

  /**
   * Appends a line. Lines of one operation are written one after another, so line numbers are
   * committed in order and a reader that resumes "after line N" never skips one that landed late.
   */
  append(id: string, message: string, level: LogLine["level"] = "info", step?: string): Promise<void> {
    const previous = this.#tails.get(id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.#write(id, message, level, step));
    this.#tails.set(id, next);
    const settled = () => {
      if (this.#tails.get(id) === next) this.#tails.delete(id);
    };
    next.then(settled, settled);
    return next;
  }

  async #write(id: string, message: string, level: LogLine["level"], step?: string): Promise<void> {
    let seq = this.#seq.get(id);
    if (seq === undefined) {
      const [row] = await this.#db
        .select({ max: sql<number>`coalesce(max(${operationLogs.seq}), 0)::int` })
        .from(operationLogs)
        .where(eq(operationLogs.operationId, id));
      seq = row?.max ?? 0;
    }
    seq += 1;
    this.#seq.set(id, seq);
    const at = new Date();
    await this.#db
      .insert(operationLogs)
      .values({ operationId: id, seq, at, level, step: step ?? null, message });
    this.#events.emit(`log:${id}`, {
      seq,
      at: at.toISOString(),
      level,
      step: step ?? null,
      message,
    } satisfies LogLine);
  }

  async lines(id: string, afterSeq = 0): Promise<LogLine[]> {
    const rows = await this.#db
      .select()
      .from(operationLogs)
      .where(and(eq(operationLogs.operationId, id), gt(operationLogs.seq, afterSeq)))
      .orderBy(asc(operationLogs.seq));
    return rows.map((row) => ({
      seq: row.seq,
      at: row.at.toISOString(),
      level: row.level,
      step: row.step,
      message: row.message,
    }));
  }

  async forTenant(slug: string, limit = 50): Promise<Operation[]> {
    return await this.#db
      .select()
      .from(operations)
      .where(eq(operations.slug, slug))
      .orderBy(desc(operations.createdAt))
      .limit(limit);
  }

  async latest(slug: string): Promise<Operation | null> {
    const [row] = await this.forTenant(slug, 1);
    return row ?? null;
  }

  async list(filter: { status?: OperationStatus; slug?: string; limit: number }): Promise<Operation[]> {
    const where = and(
      filter.status ? eq(operations.status, filter.status) : undefined,
      filter.slug ? eq(operations.slug, filter.slug) : undefined,
    );
    return await this.#db
      .select()
      .from(operations)
      .where(where)
      .orderBy(desc(operations.createdAt))
      .limit(filter.limit);
  }

  async open(slug: string): Promise<Operation[]> {
    return await this.#db
      .select()
      .from(operations)
      .where(and(eq(operations.slug, slug), inArray(operations.status, ["queued", "running"])));
  }

  /** Calls back for each new line and status change of `id` until the returned function is called. */
  subscribe(id: string, onLine: (line: LogLine) => void, onStatus: () => void): () => void {
    this.#events.on(`log:${id}`, onLine);
    this.#events.on(`status:${id}`, onStatus);
    return () => {
      this.#events.off(`log:${id}`, onLine);
      this.#events.off(`status:${id}`, onStatus);
    };
  }

  /** Tenant-level changes (status, desired), for the welcome page's stream. */
  onTenant(slug: string, listener: () => void): () => void {
    this.#events.on(`tenant:${slug}`, listener);
    return () => this.#events.off(`tenant:${slug}`, listener);
  }

  /** Calls back with the slug of every tenant whose state changes in this process. */
  onAnyTenant(listener: (slug: string) => void): () => void {
    this.#events.on("tenant", listener);
    return () => this.#events.off("tenant", listener);
  }

  tenantChanged(slug: string): void {
    this.#events.emit(`tenant:${slug}`);
    this.#events.emit("tenant", slug);
  }
}
