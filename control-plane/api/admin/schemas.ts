import { z } from "@hono/zod-openapi";
import { SLUG_PATTERN, TIER_NAMES } from "../../../tenant-template/index.ts";
import { OPERATION_STATUSES, TENANT_STATUSES } from "../../db/schema.ts";
import { ErrorSchema } from "../../http/api-route.ts";

/** The admin API's shapes (DESIGN §7), written once for validation, `/openapi.json` and the CLI's types. */

export const Slug = z.object({ slug: z.string().regex(SLUG_PATTERN, "not a tenant slug") });
export const OperationId = z.object({ id: z.string().uuid("not an operation id") });
export const Tier = z.enum(TIER_NAMES);

export const TenantSchema = z.object({
  slug: z.string(),
  email: z.string(),
  tier: Tier,
  status: z.enum(TENANT_STATUSES),
  desired: z.enum(["active", "suspended", "deleted"]),
  generation: z.number(),
  observedGeneration: z.number(),
  grace: z.boolean(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  url: z.string(),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  stripeCustomerId: z.string().nullable(),
  stripeSubscriptionId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deleteAfter: z.string().nullable(),
  check: z.boolean(),
});

export const OperationSchema = z.object({
  id: z.string(),
  slug: z.string(),
  kind: z.string(),
  status: z.enum(OPERATION_STATUSES),
  generation: z.number().nullable(),
  attempt: z.number(),
  reason: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  result: z.unknown(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  log: z
    .array(
      z.object({
        seq: z.number(),
        at: z.string(),
        level: z.string(),
        step: z.string().nullable(),
        message: z.string(),
      }),
    )
    .optional(),
});

/** What every change of a tenant answers: the tenant now, and the operation that makes it so. */
export const Changed = z.object({ tenant: TenantSchema, operationId: z.string().nullable() });
export const OperationStarted = z.object({ operationId: z.string() });
export const Operations = z.object({ operations: z.array(OperationSchema) });

/** Admin routes need `Authorization: Bearer <admin token>`. */
export const adminOnly = [{ adminToken: [] }];

/** A JSON answer. */
export function json<T extends z.ZodType>(description: string, schema: T) {
  return { description, content: { "application/json": { schema } } };
}

export const errors = {
  400: json("Invalid input", ErrorSchema),
  401: json("Missing or wrong admin token", ErrorSchema),
  404: json("No such tenant", ErrorSchema),
};
