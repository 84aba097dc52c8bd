import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { LocalRuntimes } from "../../../stacks/index.ts";
import { ApiError } from "../../http/errors.ts";
import { ownerLink, type Services, tenantUrl } from "../../platform-services.ts";
import { audit } from "../../registry/audit.ts";
import { changeTenant, createCompedTenant, listTenants } from "../../registry/tenant-admin.ts";
import {
  type DesiredChange,
  requireTenant,
  type Tenant,
  type TenantView,
  tenantView,
} from "../../registry/tenants.ts";
import { actorOf } from "./actor.ts";
import type * as routes from "./tenants.routes.ts";

/** The tenants resource: list, comped create, read, change, delete, and the one-shot actions on one tenant. */
export function tenantHandlers(services: Services) {
  const view = (tenant: Tenant) =>
    withLiveRuntime(tenantView(tenant, tenantUrl(services, tenant.slug)), services.driver.runtimes);

  /** Applies a desired-state change, records who asked, then asks for a reconcile. */
  const change = async (c: Context, slug: string, patch: DesiredChange, action: string) => {
    const tenant = await changeTenant(services.db, slug, patch, action);
    await audit(services, actorOf(c), `tenant.${action}`, slug, { ...patch });
    const operationId = await services.reconciler.request(slug, `admin ${action}`);
    services.operations.tenantChanged(slug);
    return { tenant: view(tenant), operationId };
  };

  const list: RouteHandler<typeof routes.listTenants> = async (c) => {
    const { check, ...query } = c.req.valid("query");
    const page = await listTenants(services.db, {
      ...query,
      check: check === undefined ? undefined : check === "true",
    });
    return c.json({ ...page, tenants: page.tenants.map(view) }, 200);
  };

  const create: RouteHandler<typeof routes.createTenant> = async (c) => {
    const created = await createCompedTenant(services.db, c.req.valid("json"));
    await audit(services, actorOf(c), "tenant.create", created.slug, { tier: created.tier });
    const operationId = await services.reconciler.request(created.slug, "admin create");
    return c.json({ tenant: view(created), operationId }, 201);
  };

  const get: RouteHandler<typeof routes.getTenant> = async (c) => {
    const tenant = await requireTenant(services.db, c.req.valid("param").slug);
    const live =
      tenant.status === "deleted" ? null : await services.driver.outputs(tenant.slug).catch(() => null);
    return c.json(
      { ...view(tenant), outputs: (live as Record<string, unknown> | null) ?? tenant.outputs ?? null },
      200,
    );
  };

  const update: RouteHandler<typeof routes.updateTenant> = async (c) =>
    c.json(await change(c, c.req.valid("param").slug, { ...c.req.valid("json") }, "update"), 200);

  const remove: RouteHandler<typeof routes.deleteTenant> = async (c) =>
    c.json(
      await change(c, c.req.valid("param").slug, { desired: "deleted", deleteAfter: null }, "delete"),
      202,
    );

  const suspend: RouteHandler<typeof routes.suspendTenant> = async (c) =>
    c.json(await change(c, c.req.valid("param").slug, { desired: "suspended" }, "suspend"), 202);

  const resume: RouteHandler<typeof routes.resumeTenant> = async (c) =>
    c.json(
      await change(c, c.req.valid("param").slug, { desired: "active", deleteAfter: null }, "resume"),
      202,
    );

  const reconcile: RouteHandler<typeof routes.reconcileTenant> = async (c) => {
    const tenant = await requireTenant(services.db, c.req.valid("param").slug);
    await audit(services, actorOf(c), "tenant.reconcile", tenant.slug);
    const operationId = await services.reconciler.request(tenant.slug, "admin reconcile");
    return c.json({ tenant: view(tenant), operationId }, 202);
  };

  const issueOwnerLink: RouteHandler<typeof routes.issueOwnerLink> = async (c) => {
    const tenant = await requireTenant(services.db, c.req.valid("param").slug);
    if (tenant.status !== "active") {
      throw new ApiError(
        409,
        "not_active",
        `Tenant "${tenant.slug}" is ${tenant.status}; owner links work for active tenants only.`,
      );
    }
    const link = ownerLink(services, tenant);
    await audit(services, actorOf(c), "tenant.owner_link", tenant.slug, { expiresAt: link.expiresAt });
    return c.json(link, 200);
  };

  return { list, create, get, update, remove, suspend, resume, reconcile, issueOwnerLink };
}

/**
 * A tenant's outputs as the last reconcile recorded them, with a runtime on this machine as it is now: a restart of
 * the control plane or a crash since then changes its process, so a recorded pid may be long dead.
 */
function withLiveRuntime(view: TenantView, runtimes: LocalRuntimes | undefined): TenantView {
  const details = view.outputs?.details as Record<string, unknown> | undefined;
  if (!runtimes || !details || details.driver !== "local") return view;
  const live = runtimes.state(view.slug);
  const runtime = live ?? { state: runtimes.wakeOnDemand && view.status === "active" ? "idle" : "stopped" };
  return {
    ...view,
    outputs: {
      ...view.outputs,
      replicas: live?.state === "running" ? 1 : 0,
      details: { ...details, pid: live?.pid ?? null, port: live?.port ?? null, runtime },
    },
  };
}
