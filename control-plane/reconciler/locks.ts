import type { Sql } from "../db/client.ts";

/** Lock namespace of "a reconcile of this tenant is running". */
const TENANT_LOCK = 7_246_171;
/** Lock namespace of "this control-plane instance is alive". */
const INSTANCE_LOCK = 7_246_172;

type Session = Awaited<ReturnType<Sql["reserve"]>>;

export class ReconcileBusyError extends Error {
  constructor(slug: string) {
    super(`Another reconcile of ${slug} is running; this one will run after it.`);
  }
}

/** Runs `work` as the one reconcile of the tenant; throws `ReconcileBusyError` at once if another one runs. */
export async function asOnlyReconcile<T>(sql: Sql, slug: string, work: () => Promise<T>): Promise<T> {
  return await withSession(sql, async (session) => {
    const [row] = await session`select pg_try_advisory_lock(${TENANT_LOCK}, hashtext(${slug})) as locked`;
    if (!row?.locked) throw new ReconcileBusyError(slug);
    try {
      return await work();
    } finally {
      await session`select pg_advisory_unlock(${TENANT_LOCK}, hashtext(${slug}))`;
    }
  });
}

/**
 * Runs `work` while no reconcile of the tenant runs (waiting for one in progress to finish): a restore or an
 * erasure must not race a reconcile that starts the runtime or recreates the database. Reconciles that come
 * meanwhile are retried by the queue.
 */
export async function whileNotReconciling<T>(sql: Sql, slug: string, work: () => Promise<T>): Promise<T> {
  return await withSession(sql, async (session) => {
    await session`select pg_advisory_lock(${TENANT_LOCK}, hashtext(${slug}))`;
    try {
      return await work();
    } finally {
      await session`select pg_advisory_unlock(${TENANT_LOCK}, hashtext(${slug}))`;
    }
  });
}

/** Holds "instance `key` is alive" on a connection of its own until the returned function is called. */
export async function holdInstanceLock(sql: Sql, key: number): Promise<() => Promise<void>> {
  const session = await sql.reserve();
  await session`select pg_advisory_lock(${INSTANCE_LOCK}, ${key})`;
  return async () => {
    await session`select pg_advisory_unlock(${INSTANCE_LOCK}, ${key})`.catch(() => {});
    session.release();
  };
}

/** Whether the instance that recorded `key` still holds its lock (a dead one's connection released it). */
export async function instanceAlive(sql: Sql, key: number): Promise<boolean> {
  // One connection for both: a session lock is released only by the connection that took it.
  return await withSession(sql, async (session) => {
    const [row] = await session`select pg_try_advisory_lock(${INSTANCE_LOCK}, ${key}) as free`;
    if (row?.free) await session`select pg_advisory_unlock(${INSTANCE_LOCK}, ${key})`;
    return !row?.free;
  });
}

async function withSession<T>(sql: Sql, work: (session: Session) => Promise<T>): Promise<T> {
  const session = await sql.reserve();
  try {
    return await work(session);
  } finally {
    session.release();
  }
}
