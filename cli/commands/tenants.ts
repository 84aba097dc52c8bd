import { Command, Option } from "commander";
import { TIER_NAMES } from "../../tenant-template/index.ts";
import type { Operation, OwnerLink, Tenant, TenantPage } from "../api-types.ts";
import {
  type Context,
  changeTenant,
  type JsonOption,
  leaf,
  positiveInteger,
  tenantPath,
  tenantText,
  type WaitOption,
  waitable,
} from "../command-kit.ts";
import { usageError } from "../errors.ts";
import { duration, fields, paint, print, printJson, statusText, table, when } from "../output.ts";

const STATUSES = ["awaiting_payment", "provisioning", "active", "suspended", "deleting", "deleted", "failed"];

export function tenantsCommand(context: Context): Command {
  const tenants = new Command("tenants").description("list, create and change tenants");

  leaf(
    tenants
      .command("list")
      .description("list tenants, newest first")
      .addOption(new Option("--status <status>", "only tenants in this status").choices(STATUSES))
      .addOption(new Option("--tier <tier>", "only tenants on this tier").choices(TIER_NAMES))
      .option("-q, --query <text>", "only tenants whose slug or email contains this")
      .option("--limit <n>", "at most this many per page", positiveInteger("--limit"))
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow every page"),
    "websplat tenants list --status active --tier pro",
  ).action(
    async (
      options: JsonOption & {
        status?: string;
        tier?: string;
        query?: string;
        limit?: number;
        cursor?: string;
        all?: boolean;
      },
    ) => {
      const client = await context.client();
      const page = async (cursor: string | undefined) => {
        const query = new URLSearchParams();
        if (options.status) query.set("status", options.status);
        if (options.tier) query.set("tier", options.tier);
        if (options.query) query.set("q", options.query);
        if (options.limit) query.set("limit", String(options.limit));
        if (cursor) query.set("cursor", cursor);
        return client.get<TenantPage>(`/admin/tenants${query.size ? `?${query}` : ""}`);
      };
      let result = await page(options.cursor);
      while (options.all && result.nextCursor) {
        const next = await page(result.nextCursor);
        result = { ...next, tenants: [...result.tenants, ...next.tenants] };
      }
      if (options.json) return printJson(result);
      if (result.tenants.length === 0) return print("no tenants match");
      print(
        table(
          ["SLUG", "TIER", "STATUS", "DESIRED", "EMAIL", "UPDATED", "URL"],
          result.tenants.map((tenant) => [
            tenant.slug,
            tenant.tier,
            statusText(tenant.status),
            tenant.desired,
            tenant.email,
            when(tenant.updatedAt),
            tenant.url ?? "-",
          ]),
        ),
      );
      const more = result.nextCursor ? ` — next page: --cursor ${result.nextCursor} (or --all)` : "";
      print(paint("dim", `${result.tenants.length} of ${result.total} tenants${more}`));
    },
  );

  leaf(
    tenants.command("show").description("one tenant, with its recent operations").argument("<slug>"),
    "websplat tenants show acme",
  ).action(async (slug: string, options: JsonOption) => {
    const client = await context.client();
    const tenant = await client.get<Tenant>(tenantPath(slug));
    if (options.json) return printJson(tenant);
    const { operations } = await client.get<{ operations: Operation[] }>(tenantPath(slug, "/operations"));
    print(tenantText(tenant));
    if (operations.length > 0) {
      print(`\n${paint("bold", "recent operations")}`);
      print(
        table(
          ["ID", "KIND", "STATUS", "STARTED", "TOOK", "ERROR"],
          operations
            .slice(0, 5)
            .map((operation) => [
              operation.id,
              operation.kind,
              statusText(operation.status),
              when(operation.startedAt ?? operation.createdAt),
              duration(operation.startedAt, operation.finishedAt),
              operation.error?.message ?? "",
            ]),
        ),
      );
    }
  });

  leaf(
    waitable(
      tenants
        .command("create")
        .description("create a comped tenant (no Stripe subscription) and provision it")
        .argument("<slug>")
        .requiredOption("--email <email>", "the owner's email")
        .addOption(new Option("--tier <tier>", "the plan").choices(TIER_NAMES).default("starter")),
    ),
    "websplat tenants create acme --email owner@acme.test --tier pro",
  ).action((slug: string, options: WaitOption & { email: string; tier: string }) =>
    changeTenant(context, options, `creating ${slug}`, (client) =>
      client.post(`/admin/tenants`, { slug, email: options.email, tier: options.tier }),
    ),
  );

  const lifecycle = [
    ["suspend", "stop the runtime; keep the data, the address and the stack", "suspending"],
    ["resume", "bring a suspended tenant back", "resuming"],
    ["reconcile", "apply the tenant's desired state again (idempotent)", "reconciling"],
  ] as const;
  for (const [verb, description, doing] of lifecycle) {
    leaf(
      waitable(tenants.command(verb).description(description).argument("<slug>")),
      `websplat tenants ${verb} acme`,
    ).action((slug: string, options: WaitOption) =>
      changeTenant(context, options, `${doing} ${slug}`, (client) =>
        client.post(tenantPath(slug, `/${verb}`)),
      ),
    );
  }

  leaf(
    waitable(
      tenants
        .command("delete")
        .description("delete a tenant: its stack is destroyed and its slug is never reissued")
        .argument("<slug>")
        .option("--yes", "confirm; deleting cannot be undone"),
    ),
    "websplat tenants delete acme --yes",
  ).action((slug: string, options: WaitOption & { yes?: boolean }) => {
    if (!options.yes) throw usageError(`deleting ${slug} cannot be undone; add --yes to confirm`);
    return changeTenant(context, options, `deleting ${slug}`, (client) => client.delete(tenantPath(slug)));
  });

  leaf(
    tenants
      .command("owner-link")
      .description("a one-time sign-in link for the tenant's owner (audited)")
      .argument("<slug>"),
    "websplat tenants owner-link acme",
  ).action(async (slug: string, options: JsonOption) => {
    const client = await context.client();
    const link = await client.post<OwnerLink>(tenantPath(slug, "/owner-link"));
    if (options.json) return printJson(link);
    print(
      fields([
        ["url", link.url],
        ["expires", when(link.expiresAt)],
        ["note", "works once; do not share it"],
      ]),
    );
  });

  return tenants;
}
