import { createRoute, z } from "@hono/zod-openapi";
import { adminOnly, errors, json, OperationStarted, Slug } from "./schemas.ts";

const tags = ["stack"];

/** Preview, refresh and cancel differ only in their path and summary. */
function stackOperationRoute<K extends "preview" | "refresh" | "cancel">(kind: K) {
  return createRoute({
    method: "post",
    path: `/admin/tenants/{slug}/stack/${kind}` as `/admin/tenants/{slug}/stack/${K}`,
    summary: `Stack ${kind} (runs in the background; follow the operation)`,
    tags,
    security: adminOnly,
    request: { params: Slug },
    responses: { 202: json("Operation started", OperationStarted), 401: errors[401], 404: errors[404] },
  });
}

export const previewStack = stackOperationRoute("preview");
export const refreshStack = stackOperationRoute("refresh");
export const cancelStack = stackOperationRoute("cancel");

export const stackOutputs = createRoute({
  method: "get",
  path: "/admin/tenants/{slug}/stack/outputs",
  summary: "The stack's outputs",
  tags,
  security: adminOnly,
  request: { params: Slug },
  responses: { 200: json("Outputs", z.record(z.string(), z.unknown())), 401: errors[401], 404: errors[404] },
});

export const exportStack = createRoute({
  method: "get",
  path: "/admin/tenants/{slug}/stack/export",
  summary: "The stack's state document",
  tags,
  security: adminOnly,
  request: { params: Slug },
  responses: { 200: json("State", z.record(z.string(), z.unknown())), 401: errors[401], 404: errors[404] },
});
