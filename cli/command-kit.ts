import { type Command, InvalidArgumentError } from "commander";
import { AdminClient } from "./admin-client.ts";
import type { Operation, Tenant, TenantChange } from "./api-types.ts";
import { adminToken, controlPlaneUrl } from "./connection.ts";
import { followOperation, operationFailed } from "./operation-progress.ts";
import { fields, print, printJson, statusText, when } from "./output.ts";

/** What every command gets: the admin client, made on first use (offline commands never need a token). */
export interface Context {
  client(): Promise<AdminClient>;
}

export function createContext(env: NodeJS.ProcessEnv = process.env): Context {
  let client: Promise<AdminClient> | undefined;
  return {
    client: () => {
      client ??= adminToken(env).then((token) => new AdminClient(controlPlaneUrl(env), token));
      return client;
    },
  };
}

export interface JsonOption {
  json?: boolean;
}

export interface WaitOption extends JsonOption {
  wait: boolean;
}

/** Every command takes `--json` and shows an example in its help. */
export function leaf(command: Command, example: string): Command {
  return command
    .option("--json", "print JSON for scripts instead of text")
    .addHelpText("after", `\nExample:\n  $ ${example}\n`);
}

/** Long operations are followed to their end unless `--no-wait`. */
export function waitable(command: Command): Command {
  return command.option("--no-wait", "start the operation and return at once with its id");
}

export function tenantPath(slug: string, suffix = ""): string {
  return `/admin/tenants/${encodeURIComponent(slug)}${suffix}`;
}

/**
 * The pattern of every command that changes a tenant: ask, then follow the operation it started
 * (or say how to follow it later), then show the tenant as it is now.
 */
export async function changeTenant(
  context: Context,
  options: WaitOption,
  title: string,
  request: (client: AdminClient) => Promise<TenantChange>,
): Promise<void> {
  const client = await context.client();
  const change = await request(client);
  if (!options.wait) {
    if (options.json) printJson(change);
    else print(startedText(title, change.operationId));
    return;
  }
  const operation = await followOperation(client, change.operationId, { title, json: options.json === true });
  // The tenant after the operation, not the one from before it; a destroyed tenant may be gone.
  const tenant = await client.get<Tenant>(tenantPath(change.tenant.slug)).catch(() => change.tenant);
  if (options.json) printJson({ tenant, operation });
  else print(tenantText(tenant));
  if (operation.status !== "succeeded") throw operationFailed(operation);
}

/** Same as `changeTenant` for routes that answer only `{operationId}` (the stack routes). */
export async function runOperation(
  context: Context,
  options: WaitOption,
  title: string,
  request: (client: AdminClient) => Promise<{ operationId: string }>,
  describe: (operation: Operation) => string,
): Promise<void> {
  const client = await context.client();
  const { operationId } = await request(client);
  if (!options.wait) {
    if (options.json) printJson({ operationId });
    else print(startedText(title, operationId));
    return;
  }
  const operation = await followOperation(client, operationId, { title, json: options.json === true });
  if (options.json) printJson(operation);
  else if (operation.status === "succeeded") print(describe(operation));
  if (operation.status !== "succeeded") throw operationFailed(operation);
}

export function startedText(title: string, operationId: string): string {
  return `${title}: operation ${operationId} started — follow it with \`websplat ops logs ${operationId} --follow\``;
}

export function tenantText(tenant: Tenant): string {
  return fields([
    ["slug", tenant.slug],
    ["email", tenant.email],
    ["tier", tenant.tier],
    ["status", `${statusText(tenant.status)} (desired ${tenant.desired})`],
    ["generation", `${tenant.observedGeneration}/${tenant.generation} applied`],
    ["url", tenant.url ?? "-"],
    ["grace", tenant.grace ? "yes — a payment failed; the tenant keeps running" : "no"],
    ["last error", tenant.lastError ? `${tenant.lastError.code}: ${tenant.lastError.message}` : "-"],
    ["stripe", [tenant.stripeCustomerId, tenant.stripeSubscriptionId].filter(Boolean).join(" / ") || "-"],
    ["created", when(tenant.createdAt)],
    ["updated", when(tenant.updatedAt)],
    ...(tenant.deleteAfter ? [["delete after", when(tenant.deleteAfter)] as [string, string]] : []),
  ]);
}

/** A positive integer option, or a usage error naming the option. */
export function positiveInteger(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) {
      throw new InvalidArgumentError(`${name} must be a positive whole number.`);
    }
    return number;
  };
}
