import type { Logger } from "pino";
import type { OperationContext } from "../../stacks/index.ts";
import type { OperationKind } from "../db/schema.ts";
import type { OperationLog } from "./operations.ts";
import { runOperation } from "./run-operation.ts";

/**
 * Runs a stack operation that is not a reconcile (preview, refresh, cancel) in the background,
 * recorded as an operation with its log; returns the operation id at once.
 */
export async function runStackOperation(
  services: { operations: OperationLog; reconciler: { instanceKey: number }; logger: Logger },
  slug: string,
  kind: Exclude<OperationKind, "reconcile">,
  work: (ctx: OperationContext) => Promise<unknown>,
): Promise<string> {
  const { id } = await services.operations.create({ slug, kind, reason: `admin ${kind}` });
  const options = {
    operations: services.operations,
    instance: services.reconciler.instanceKey,
    signal: AbortSignal.timeout(15 * 60_000),
  };
  runOperation(id, options, (run) => work(run.context)).catch((error) =>
    services.logger.error({ err: error, operation: id }, "stack operation bookkeeping failed"),
  );
  return id;
}
