import { eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { StackDriver } from "../../stacks/index.ts";
import { StackError } from "../../stacks/index.ts";
import { type PlatformInput, tenantSpec } from "../../tenant-template/index.ts";
import type { Database, Sql } from "../db/client.ts";
import { type ErrorInfo, tenants } from "../db/schema.ts";
import type { OperationLog } from "../registry/operations.ts";
import { changeDesired, findTenant, type Tenant } from "../registry/tenants.ts";
import { inSpan } from "../tracing.ts";

export interface ReconcilerDeps {
  db: Database;
  sql: Sql;
  driver: StackDriver;
  operations: OperationLog;
  platform: PlatformInput;
  /** Advisory-lock key of this control-plane instance (recorded on running operations). */
  instanceKey: number;
  /** Aborted at shutdown: drivers stop what they are doing. */
  shutdown: AbortSignal;
  /** Called when a reconcile finds more work for later (a retention deadline). */
  requeue: (slug: string, at: Date) => Promise<void>;
  observe?: (outcome: "succeeded" | "failed" | "retrying" | "skipped", seconds: number) => void;
  /** Also receives the operation's log lines (with the request id and tenant of the log context). */
  logger?: Logger;
}

/** Lock namespace of "a reconcile of this tenant is running". */
const TENANT_LOCK = 7_246_171;

export class ReconcileBusyError extends Error {
  constructor(slug: string) {
    super(`Another reconcile of ${slug} is running; this one will run after it.`);
  }
}

/**
 * Reconciles one tenant (controller style): read desired and observed, take the next idempotent step
 * through the driver, record the result. Safe to run any number of times; one at a time per tenant.
 */
export async function reconcileTenant(
  deps: ReconcilerDeps,
  job: { slug: string; operationId: string },
  meta: { attempt: number; finalAttempt: boolean },
): Promise<void> {
  const started = performance.now();
  const lock = await deps.sql.reserve();
  try {
    const [row] = await lock`select pg_try_advisory_lock(${TENANT_LOCK}, hashtext(${job.slug})) as locked`;
    if (!row?.locked) throw new ReconcileBusyError(job.slug);
    try {
      await runReconcile(deps, job, meta);
      deps.observe?.("succeeded", (performance.now() - started) / 1000);
    } finally {
      await lock`select pg_advisory_unlock(${TENANT_LOCK}, hashtext(${job.slug}))`;
    }
  } catch (error) {
    const outcome =
      error instanceof ReconcileBusyError ? "skipped" : meta.finalAttempt ? "failed" : "retrying";
    deps.observe?.(outcome, (performance.now() - started) / 1000);
    throw error;
  } finally {
    lock.release();
  }
}

async function runReconcile(
  deps: ReconcilerDeps,
  job: { slug: string; operationId: string },
  meta: { attempt: number; finalAttempt: boolean },
): Promise<void> {
  const { operations } = deps;
  const operationId = job.operationId;
  // Lines are queued in order and written in the background; the operation waits for them before it finishes.
  const log = (message: string, level: "info" | "warn" | "error" = "info") => {
    deps.logger?.[level]({ attempt: meta.attempt }, message);
    return operations.append(operationId, message, level).catch(() => {});
  };

  await operations.update(operationId, {
    status: "running",
    attempt: meta.attempt,
    instanceKey: deps.instanceKey,
    started: meta.attempt === 1,
  });
  if (meta.attempt > 1) void log(`Attempt ${meta.attempt}`);

  let tenant = await findTenant(deps.db, job.slug);
  if (!tenant || tenant.status === "awaiting_payment") {
    void log(
      tenant ? "Waiting for payment: nothing to do yet" : "The tenant no longer exists: nothing to do",
    );
    await operations.update(operationId, { status: "succeeded", finished: true });
    return;
  }
  tenant = await applyRetention(deps, tenant, log);
  await operations.update(operationId, { generation: tenant.generation });

  const ctx = {
    signal: deps.shutdown,
    log: (message: string, level?: "info" | "warn" | "error") => void log(message, level),
    trace: <T>(step: string, work: () => Promise<T>) =>
      inSpan(step, { "websplat.tenant": tenant.slug }, work),
  };
  try {
    if (tenant.desired === "deleted") {
      if (tenant.status === "deleted") {
        void log("Already deleted");
      } else {
        await setObserved(deps, tenant.slug, { status: "deleting" });
        void log(`Deleting ${tenant.slug}: runtime, route, database schema and role`);
        await deps.driver.destroy(tenant.slug, ctx);
        await setObserved(deps, tenant.slug, {
          status: "deleted",
          observedGeneration: tenant.generation,
          outputs: null,
          lastError: null,
        });
        void log("Deleted");
      }
    } else {
      if (tenant.status !== "active" && tenant.status !== "suspended") {
        await setObserved(deps, tenant.slug, { status: "provisioning" });
      }
      const spec = tenantSpec(
        {
          slug: tenant.slug,
          tier: tenant.tier,
          desired: tenant.desired,
          generation: tenant.generation,
          ownerEmail: tenant.email,
        },
        deps.platform,
      );
      void log(
        `${tenant.desired === "active" ? "Provisioning" : "Suspending"} ${tenant.slug} (${tenant.tier}, generation ${tenant.generation})`,
      );
      const outputs = await inSpan(
        "driver.up",
        { "websplat.tenant": tenant.slug, "websplat.driver": deps.driver.kind },
        () => deps.driver.up(spec, ctx),
      );
      await setObserved(deps, tenant.slug, {
        status: tenant.desired,
        observedGeneration: tenant.generation,
        outputs: outputs as unknown as Record<string, unknown>,
        lastError: null,
      });
      void log(tenant.desired === "active" ? `Ready at ${outputs.url}` : "Suspended: data and address kept");
    }
    await operations.update(operationId, { status: "succeeded", error: null, finished: true });
  } catch (error) {
    const info = describe(error);
    const retrying = !meta.finalAttempt && !(error instanceof StackError && !error.retryable);
    void log(`${info.message}${retrying ? " — retrying with backoff" : ""}`, "error");
    await setObserved(deps, tenant.slug, { lastError: info, ...(retrying ? {} : { status: "failed" }) });
    await operations.update(operationId, {
      error: info,
      ...(retrying ? {} : { status: "failed", finished: true }),
    });
    if (retrying) throw error;
  }
}

/** A cancelled tenant past its retention becomes desired `deleted`; before that, a reconcile is booked for the deadline. */
async function applyRetention(
  deps: ReconcilerDeps,
  tenant: Tenant,
  log: (message: string) => Promise<void>,
): Promise<Tenant> {
  if (!tenant.deleteAfter || tenant.desired === "deleted") return tenant;
  if (tenant.deleteAfter.getTime() > Date.now()) {
    await deps.requeue(tenant.slug, tenant.deleteAfter);
    return tenant;
  }
  await log("Retention period over: deleting the tenant's data");
  return await deps.db.transaction(async (tx) => {
    const current = await findTenant(tx, tenant.slug, { lock: true });
    if (!current || current.desired === "deleted") return current ?? tenant;
    return (await changeDesired(tx, current, { desired: "deleted" })).tenant;
  });
}

async function setObserved(
  deps: ReconcilerDeps,
  slug: string,
  values: Partial<Pick<Tenant, "status" | "observedGeneration" | "outputs" | "lastError">>,
): Promise<void> {
  await deps.db
    .update(tenants)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(tenants.slug, slug));
  deps.operations.tenantChanged(slug);
}

export function describe(error: unknown): ErrorInfo {
  if (error instanceof StackError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: "reconcile_failed", message: error.message };
  return { code: "reconcile_failed", message: String(error) };
}

/**
 * Runs `work` while no reconcile of the tenant runs (waiting for one in progress to finish): a restore or an
 * erasure must not race a reconcile that starts the runtime or recreates the database. Reconciles that come
 * meanwhile are retried by the queue.
 */
export async function whileNotReconciling<T>(sql: Sql, slug: string, work: () => Promise<T>): Promise<T> {
  const lock = await sql.reserve();
  try {
    await lock`select pg_advisory_lock(${TENANT_LOCK}, hashtext(${slug}))`;
    try {
      return await work();
    } finally {
      await lock`select pg_advisory_unlock(${TENANT_LOCK}, hashtext(${slug}))`;
    }
  } finally {
    lock.release();
  }
}
