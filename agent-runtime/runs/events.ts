import { EventEmitter } from "node:events";
import { and, asc, eq, gt } from "drizzle-orm";
import type { Database, Transaction } from "../db/index.ts";
import { runEvents } from "../db/schema.ts";

export interface RunEvent {
  id?: number;
  type: string;
  data: unknown;
}

/**
 * The append-only event log of runs. Events are rows (so a stream resumes from `Last-Event-ID`);
 * listeners are woken in-process after a commit, and poll as a fallback for other replicas.
 */
export class RunEventLog {
  readonly #db: Database;
  readonly #wake = new EventEmitter();

  constructor(db: Database) {
    this.#db = db;
    this.#wake.setMaxListeners(0);
  }

  async append(tx: Transaction | Database, runId: string, type: string, data: unknown): Promise<void> {
    await tx.insert(runEvents).values({ runId, type, data });
  }

  /** Call after the transaction that appended events has committed. */
  wake(runId: string): void {
    this.#wake.emit(runId, undefined);
  }

  /** Ephemeral events (streamed model text): live listeners only, never stored. */
  live(runId: string, event: RunEvent): void {
    this.#wake.emit(runId, event);
  }

  async after(runId: string, lastId: number) {
    return this.#db
      .select()
      .from(runEvents)
      .where(and(eq(runEvents.runId, runId), gt(runEvents.id, lastId)))
      .orderBy(asc(runEvents.id));
  }

  subscribe(runId: string, listener: (event: RunEvent | undefined) => void): () => void {
    this.#wake.on(runId, listener);
    return () => this.#wake.off(runId, listener);
  }
}
