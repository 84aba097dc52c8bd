import { writeFile } from "node:fs/promises";
import { Command } from "commander";
import type { AdminClient } from "../admin-client.ts";
import type { Operation, Tenant, TenantPage } from "../api-types.ts";
import {
  type Context,
  type JsonOption,
  leaf,
  runOperation,
  tenantPath,
  type WaitOption,
  waitable,
} from "../command-kit.ts";
import { CliError, reported, usageError } from "../errors.ts";
import { followOperation } from "../operation-progress.ts";
import { fields, paint, print, printJson, statusText, table } from "../output.ts";
import { alertingTenants, canaryRollout, canaryWaves } from "./canary.ts";
import { renderCommand } from "./render.ts";

/** Tenants that have a stack to act on; the others have nothing deployed yet or any more. */
const WITH_STACK = new Set(["provisioning", "active", "suspended", "failed"]);

export function stackCommand(context: Context): Command {
  const stack = new Command("stack").description(
    "a tenant's infrastructure stack (Pulumi, or this machine locally)",
  );

  const kinds = [
    ["preview", "show what an update would change, without changing anything", "previewing"],
    ["refresh", "read the real state of the stack's resources back into its state", "refreshing"],
  ] as const;
  for (const [kind, description, doing] of kinds) {
    leaf(
      waitable(
        stack
          .command(kind)
          .description(description)
          .argument("[slug]")
          .option("--all", "every tenant with a stack"),
      ),
      `websplat stack ${kind} acme`,
    ).action((slug: string | undefined, options: WaitOption & { all?: boolean }) =>
      forOneOrAll(context, slug, options, `${doing}`, (client, each) =>
        client.post<{ operationId: string }>(tenantPath(each, `/stack/${kind}`)),
      ),
    );
  }

  leaf(
    waitable(
      stack
        .command("up")
        .description("bring the stack to the tenant's desired state (a reconcile)")
        .argument("[slug]")
        .option("--all", "every tenant with a stack")
        .option(
          "--canary [percent]",
          "with --all: check tenants first, then this share of customers (default 5), then the rest; halts at the first failed update or alerting probe",
        ),
    ),
    "websplat stack up --all --canary 5",
  ).action((slug: string | undefined, options: WaitOption & { all?: boolean; canary?: string | true }) => {
    if (options.canary !== undefined) return canaryUp(context, slug, options);
    return forOneOrAll(context, slug, options, "updating", (client, each) =>
      client.post<{ operationId: string }>(tenantPath(each, "/reconcile")),
    );
  });

  leaf(
    waitable(
      stack
        .command("cancel")
        .description("cancel the stack's update in progress (after a crash)")
        .argument("<slug>"),
    ),
    "websplat stack cancel acme",
  ).action((slug: string, options: WaitOption) =>
    runOperation(
      context,
      options,
      `cancelling ${slug}`,
      (client) => client.post(tenantPath(slug, "/stack/cancel")),
      // The driver's last line says whether an update was in progress to cancel.
      (operation) => `${slug}: ${operation.log?.at(-1)?.message ?? "cancel finished"}`,
    ),
  );

  leaf(
    stack
      .command("outputs")
      .description("what the stack made: address, namespace, database")
      .argument("<slug>"),
    "websplat stack outputs acme",
  ).action(async (slug: string, options: JsonOption) => {
    const client = await context.client();
    const outputs = await client.get<Record<string, unknown>>(tenantPath(slug, "/stack/outputs"));
    if (options.json) return printJson(outputs);
    print(fields(Object.entries(outputs).map(([name, value]) => [name, display(value)])));
  });

  leaf(
    stack
      .command("export")
      .description("the stack's state as the driver exports it (a Pulumi deployment)")
      .argument("<slug>")
      .option("-o, --output <file>", "write it to this file instead of printing it"),
    "websplat stack export acme -o acme-stack.json",
  ).action(async (slug: string, options: JsonOption & { output?: string }) => {
    const client = await context.client();
    const state = await client.get<unknown>(tenantPath(slug, "/stack/export"));
    if (!options.output) return printJson(state);
    await writeFile(options.output, `${JSON.stringify(state, null, 2)}\n`);
    if (options.json) printJson({ slug, file: options.output });
    else print(`wrote the stack state of ${slug} to ${options.output}`);
  });

  stack.addCommand(renderCommand());
  return stack;
}

/** `stack up --all --canary`: in waves (canary.ts), following each update, stopping at the first sign of trouble. */
async function canaryUp(
  context: Context,
  slug: string | undefined,
  options: WaitOption & { all?: boolean; canary?: string | true },
): Promise<void> {
  if (slug || !options.all)
    throw usageError("--canary goes with --all (no slug): it orders every tenant's update");
  if (!options.wait)
    throw usageError("--canary follows each update to decide on the next: leave out --no-wait");
  const share = options.canary === true ? 5 : Number(options.canary);
  if (!Number.isFinite(share) || share <= 0 || share > 100)
    throw usageError("--canary takes a share of customers in percent, from 1 to 100 (default 5)");
  const client = await context.client();
  const tenants = (await allTenants(client)).filter((tenant) => WITH_STACK.has(tenant.status));
  const waves = canaryWaves(tenants, share);
  const result = await canaryRollout(waves, {
    update: async (each) => {
      const { operationId } = await client.post<{ operationId: string }>(tenantPath(each, "/reconcile"));
      return await followOperation(client, operationId, {
        title: `updating ${each}`,
        json: options.json === true,
      });
    },
    alerting: () => alertingTenants(client),
  });
  const left = tenants.length - result.updated.length;
  if (options.json)
    printJson({
      waves,
      updated: result.updated.map((each) => each.operation),
      halted: result.halted,
      notUpdated: left,
    });
  else {
    print(
      table(
        ["TENANT", "STATUS"],
        result.updated.map(({ slug: each, operation }) => [each, statusText(operation.status)]),
      ),
    );
    if (!result.halted)
      print(`canary rollout done: ${result.updated.length} tenants updated in ${waves.length} waves`);
  }
  if (result.halted)
    throw new CliError(
      "canary_halted",
      `canary rollout halted in the ${result.halted.wave} wave: ${result.halted.reason}; ${left} tenants were not updated — fix it or roll back the runtime image, then run again`,
    );
}

/** `stack preview acme`, or `stack preview --all`: one operation per tenant, followed one after another. */
async function forOneOrAll(
  context: Context,
  slug: string | undefined,
  options: WaitOption & { all?: boolean },
  doing: string,
  start: (client: AdminClient, slug: string) => Promise<{ operationId: string }>,
): Promise<void> {
  if (slug && options.all) throw usageError("give a slug or --all, not both");
  if (slug) {
    return runOperation(
      context,
      options,
      `${doing} ${slug}`,
      (client) => start(client, slug),
      describeOperation,
    );
  }
  if (!options.all) throw usageError("which tenant? give a slug, or --all for every tenant with a stack");

  const client = await context.client();
  const slugs = (await allTenants(client))
    .filter((tenant) => WITH_STACK.has(tenant.status))
    .map((tenant) => tenant.slug);
  const started: Array<{ slug: string; operationId: string }> = [];
  for (const each of slugs) started.push({ slug: each, ...(await start(client, each)) });
  if (!options.wait) {
    if (options.json) printJson({ operations: started });
    else
      print(
        table(
          ["TENANT", "OPERATION"],
          started.map((each) => [each.slug, each.operationId]),
        ),
      );
    return;
  }
  const finished: Array<{ slug: string; operation: Operation }> = [];
  for (const each of started) {
    const operation = await followOperation(client, each.operationId, {
      title: `${doing} ${each.slug}`,
      json: options.json === true,
    });
    finished.push({ slug: each.slug, operation });
  }
  if (options.json) printJson({ operations: finished.map((each) => each.operation) });
  else {
    print(
      table(
        ["TENANT", "STATUS", "RESULT"],
        finished.map(({ slug: each, operation }) => [
          each,
          statusText(operation.status),
          operation.error?.message ?? describeOperation(operation).split("\n")[0] ?? "",
        ]),
      ),
    );
  }
  const failed = finished.filter((each) => each.operation.status !== "succeeded");
  if (failed.length > 0) {
    throw reported(
      new CliError("operations_failed", `${failed.length} of ${finished.length} operations failed`),
    );
  }
}

async function allTenants(client: AdminClient): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  let cursor: string | null = null;
  do {
    const page: TenantPage = await client.get<TenantPage>(
      `/admin/tenants?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    tenants.push(...page.tenants);
    cursor = page.nextCursor;
  } while (cursor);
  return tenants;
}

/** A finished operation's result in a few lines: a preview's changes and steps, else the outcome. */
export function describeOperation(operation: Operation): string {
  const result = operation.result as { changes?: unknown; steps?: unknown } | null | undefined;
  if (!result || typeof result !== "object")
    return `${operation.slug}: ${operation.kind} ${operation.status}`;
  const lines: string[] = [];
  if (result.changes && typeof result.changes === "object") {
    const counts = Object.entries(result.changes as Record<string, unknown>).map(
      ([op, count]) => `${op} ${count}`,
    );
    lines.push(`${operation.slug}: ${counts.join(", ") || "no changes"}`);
  }
  if (Array.isArray(result.steps)) {
    // Steps come as "create postgres role t_acme" (local driver) or as {op, type, name} (Pulumi).
    for (const step of result.steps as unknown[]) {
      const [op, what] =
        typeof step === "string"
          ? [step.split(" ")[0] ?? "", step.slice(step.indexOf(" ") + 1)]
          : [
              String((step as Record<string, unknown>).op ?? ""),
              [(step as Record<string, unknown>).type, (step as Record<string, unknown>).name]
                .filter(Boolean)
                .join("  "),
            ];
      const style = op === "delete" ? "red" : op === "create" ? "green" : op === "same" ? "dim" : "yellow";
      lines.push(`  ${paint(style, op.padEnd(7))} ${what}`);
    }
  }
  return lines.length > 0 ? lines.join("\n") : `${operation.slug}: ${JSON.stringify(result)}`;
}

function display(value: unknown): string {
  if (value === null || value === undefined) return "-";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
