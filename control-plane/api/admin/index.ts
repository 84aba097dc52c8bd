import { OpenAPIHono } from "@hono/zod-openapi";
import type { Services } from "../../platform-services.ts";
import { auditApi } from "./audit.index.ts";
import { operationsApi } from "./operations.index.ts";
import { stackApi } from "./stack.index.ts";
import { tenantsApi } from "./tenants.index.ts";

/** DESIGN §7 admin API, one sub-app per resource; the app puts it behind the bearer token (`/admin/*`). */
export function adminApi(services: Services) {
  return new OpenAPIHono()
    .route("/", tenantsApi(services))
    .route("/", stackApi(services))
    .route("/", operationsApi(services))
    .route("/", auditApi(services));
}
