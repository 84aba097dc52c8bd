import { eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { OperationContext, StackDriver } from "../../stacks/index.ts";
import { type PlatformInput, tenantSpec } from "../../tenant-template/index.ts";
import type { Database, Sql } from "../db/client.ts";
import { tenants } from "../db/schema.ts";
import type { OperationLog } from "../registry/operations.ts";
import { errorInfo, type OperationRun, runOperation } from "../registry/run-operation.ts";
import { changeDesired, findTenant, type Tenant } from "../registry/tenants.ts";
import { inSpan } from "../tracing.ts";
import { asOnlyReconcile, ReconcileBusyError } from "./locks.ts";

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
  observe?: (outcome: "succeeded" | "failed" | "retrying" | "skipped", seconds: number) => void;
  /** Also receives the operation's log lines (with the request id and tenant of the log context). */
  logger?: Logger;
}

/** What happens next (controller-runtime's `Result`): reconcile again at `requeueAfter`, or only on the next change. */
export interface ReconcileResult {
  requeueAfter?: Date;
}

/**
 * Reconciles one tenant (controller style): read desired and observed, take the next idempotent step
 * through the driver, record the result. Safe to run any number of times; one at a time per tenant.
 * A failure to retry is thrown (the queue retries it with backoff); a final one is recorded and books nothing.
 */
export async function reconcileTenant(
  deps: ReconcilerDeps,
  job: { slug: string; operationId: string },
  meta: { attempt: number; finalAttempt: boolean },
): Promise<ReconcileResult> {
  const started = performance.now();
  const observe = (outcome: Parameters<NonNullable<ReconcilerDeps["observe"]>>[0]) =>
    deps.observe?.(outcome, (performance.now() - started) / 1000);
  try {
    const result = await asOnlyReconcile(deps.sql, job.slug, () =>
      runOperation(
        job.operationId,
        {
          operations: deps.operations,
          instance: deps.instanceKey,
          signal: deps.shutdown,
          logger: deps.logger,
          ...meta,
          result: () => null,
        },
        (run) => reconcileSteps(deps, job.slug, run),
      ),
    );
    observe(result ? "succeeded" : "failed");
    return result ?? {};
  } catch (error) {
    observe(error instanceof ReconcileBusyError ? "skipped" : meta.finalAttempt ? "failed" : "retrying");
    throw error;
  }
}

async function reconcileSteps(
  deps: ReconcilerDeps,
  slug: string,
  run: OperationRun,
): Promise<ReconcileResult> {
  const loaded = await loadTenant(deps, slug, run);
  if (!loaded) return {};
  const { tenant, requeueAfter } = await applyRetention(deps, loaded, run);
  await deps.operations.update(run.id, { generation: tenant.generation });
  const ctx: OperationContext = {
    ...run.context,
    trace: (step, work) => inSpan(step, { "websplat.tenant": tenant.slug }, work),
  };
  try {
    if (tenant.desired === "deleted") await destroyTenant(deps, tenant, ctx);
    else await applyTenant(deps, tenant, ctx);
  } catch (error) {
    const retrying = run.willRetry(error);
    await setObserved(deps, tenant.slug, {
      lastError: errorInfo(error),
      ...(retrying ? {} : { status: "failed" }),
    });
    throw error;
  }
  return requeueAfter ? { requeueAfter } : {};
}

/** The tenant as it is now, or null when there is nothing to reconcile (gone, or not paid for yet). */
async function loadTenant(deps: ReconcilerDeps, slug: string, run: OperationRun): Promise<Tenant | null> {
  const tenant = await findTenant(deps.db, slug);
  if (tenant && tenant.status !== "awaiting_payment") return tenant;
  void run.log(
    tenant ? "Waiting for payment: nothing to do yet" : "The tenant no longer exists: nothing to do",
  );
  return null;
}

/** A cancelled tenant past its retention becomes desired `deleted`; before that, the deadline is the next reconcile. */
async function applyRetention(
  deps: ReconcilerDeps,
  tenant: Tenant,
  run: OperationRun,
): Promise<{ tenant: Tenant; requeueAfter?: Date }> {
  if (!tenant.deleteAfter || tenant.desired === "deleted") return { tenant };
  if (tenant.deleteAfter.getTime() > Date.now()) return { tenant, requeueAfter: tenant.deleteAfter };
  await run.log("Retention period over: deleting the tenant's data");
  const deleted = await deps.db.transaction(async (tx) => {
    const current = await findTenant(tx, tenant.slug, { lock: true });
    if (!current || current.desired === "deleted") return current ?? tenant;
    return (await changeDesired(tx, current, { desired: "deleted" })).tenant;
  });
  return { tenant: deleted };
}

async function destroyTenant(deps: ReconcilerDeps, tenant: Tenant, ctx: OperationContext): Promise<void> {
  if (tenant.status === "deleted") {
    ctx.log("Already deleted");
    return;
  }
  await setObserved(deps, tenant.slug, { status: "deleting" });
  ctx.log(`Deleting ${tenant.slug}: runtime, route, database schema and role`);
  await deps.driver.destroy(tenant.slug, ctx);
  await setObserved(deps, tenant.slug, {
    status: "deleted",
    observedGeneration: tenant.generation,
    outputs: null,
    lastError: null,
  });
  ctx.log("Deleted");
}

/** Desired active or suspended: the same stack, with or without replicas. */
async function applyTenant(deps: ReconcilerDeps, tenant: Tenant, ctx: OperationContext): Promise<void> {
  const desired = tenant.desired === "active" ? "active" : "suspended";
  if (tenant.status !== "active" && tenant.status !== "suspended") {
    await setObserved(deps, tenant.slug, { status: "provisioning" });
  }
  const spec = tenantSpec(
    {
      slug: tenant.slug,
      tier: tenant.tier,
      desired,
      generation: tenant.generation,
      ownerEmail: tenant.email,
    },
    deps.platform,
  );
  ctx.log(
    `${desired === "active" ? "Provisioning" : "Suspending"} ${tenant.slug} (${tenant.tier}, generation ${tenant.generation})`,
  );
  const outputs = await inSpan(
    "driver.up",
    { "websplat.tenant": tenant.slug, "websplat.driver": deps.driver.kind },
    () => deps.driver.up(spec, ctx),
  );
  await setObserved(deps, tenant.slug, {
    status: desired,
    observedGeneration: tenant.generation,
    outputs: outputs as unknown as Record<string, unknown>,
    lastError: null,
  });
  ctx.log(desired === "active" ? `Ready at ${outputs.url}` : "Suspended: data and address kept");
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
