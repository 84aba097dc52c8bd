import { createRoute, z } from "@hono/zod-openapi";
import { OPERATION_STATUSES } from "../../db/schema.ts";
import { ErrorSchema } from "../../http/api-route.ts";
import { adminOnly, errors, json, OperationId, OperationSchema, Operations, Slug } from "./schemas.ts";

const tags = ["operations"];
const noSuchOperation = json("No such operation", ErrorSchema);

export const tenantOperations = createRoute({
  method: "get",
  path: "/admin/tenants/{slug}/operations",
  summary: "A tenant's operations, newest first",
  tags,
  security: adminOnly,
  request: { params: Slug, query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
  responses: { 200: json("Operations", Operations), 401: errors[401], 404: errors[404] },
});

export const listOperations = createRoute({
  method: "get",
  path: "/admin/operations",
  summary: "Recent operations across tenants",
  tags,
  security: adminOnly,
  request: {
    query: z.object({
      status: z.enum(OPERATION_STATUSES).optional(),
      slug: z.string().max(64).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
  },
  responses: { 200: json("Operations", Operations), 400: errors[400], 401: errors[401] },
});

export const getOperation = createRoute({
  method: "get",
  path: "/admin/operations/{id}",
  summary: "One operation with its log",
  tags,
  security: adminOnly,
  request: { params: OperationId },
  responses: { 200: json("The operation", OperationSchema), 401: errors[401], 404: noSuchOperation },
});

export const operationEvents = createRoute({
  method: "get",
  path: "/admin/operations/{id}/events",
  summary: "An operation's log as Server-Sent Events (log…, then end)",
  tags,
  security: adminOnly,
  request: { params: OperationId },
  responses: {
    200: { description: "SSE stream", content: { "text/event-stream": { schema: z.string() } } },
    401: errors[401],
    404: noSuchOperation,
  },
});
