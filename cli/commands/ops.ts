import { Command, Option } from "commander";
import type { AdminClient } from "../admin-client.ts";
import type { LogLine, Operation } from "../api-types.ts";
import { type Context, type JsonOption, leaf, positiveInteger } from "../command-kit.ts";
import { CliError, usageError } from "../errors.ts";
import { operationFailed, streamOperation } from "../operation-progress.ts";
import {
  duration,
  fields,
  logLineText,
  paint,
  print,
  printJson,
  statusText,
  table,
  when,
} from "../output.ts";

const OPERATION_STATUSES = ["queued", "running", "succeeded", "failed", "interrupted"];

export function opsCommand(context: Context): Command {
  const ops = new Command("ops").description(
    "operations: every reconcile, preview, refresh, cancel and destroy",
  );

  leaf(
    ops
      .command("list")
      .description("recent operations, newest first")
      .addOption(
        new Option("--status <status>", "only operations in this status").choices(OPERATION_STATUSES),
      )
      .option("--slug <slug>", "only this tenant's operations")
      .option("--limit <n>", "at most this many", positiveInteger("--limit")),
    "websplat ops list --status failed",
  ).action(async (options: JsonOption & { status?: string; slug?: string; limit?: number }) => {
    const client = await context.client();
    const query = new URLSearchParams();
    if (options.status) query.set("status", options.status);
    if (options.slug) query.set("slug", options.slug);
    if (options.limit) query.set("limit", String(options.limit));
    const { operations } = await client.get<{ operations: Operation[] }>(
      `/admin/operations${query.size ? `?${query}` : ""}`,
    );
    if (options.json) return printJson({ operations });
    if (operations.length === 0) return print("no operations match");
    print(operationTable(operations));
  });

  leaf(
    ops.command("show").description("one operation: status, error, result and log").argument("<id>"),
    "websplat ops show 2f0c…",
  ).action(async (id: string, options: JsonOption) => {
    const operation = await getOperation(await context.client(), id);
    if (options.json) return printJson(operation);
    print(
      fields([
        ["id", operation.id],
        ["tenant", operation.slug],
        ["kind", operation.kind],
        ["status", statusText(operation.status)],
        ["attempt", String(operation.attempt)],
        ["generation", String(operation.generation)],
        ["created", when(operation.createdAt)],
        ["took", duration(operation.startedAt, operation.finishedAt)],
        ["error", operation.error ? `${operation.error.code}: ${operation.error.message}` : "-"],
        [
          "result",
          operation.result === null || operation.result === undefined
            ? "-"
            : JSON.stringify(operation.result),
        ],
      ]),
    );
    const log = operation.log ?? [];
    if (log.length > 0)
      print(`\n${paint("bold", "log")}\n${log.map((line) => logLineText(line)).join("\n")}`);
  });

  leaf(
    ops
      .command("logs")
      .description("an operation's log; with --follow, stream it live until the operation ends")
      .argument("<id>")
      .option("-f, --follow", "keep streaming until the operation ends; exit 1 if it fails"),
    "websplat ops logs 2f0c… --follow",
  ).action(async (id: string, options: JsonOption & { follow?: boolean }) => {
    const client = await context.client();
    // JSON Lines when following, so a script can read each line as it comes.
    const show = (line: LogLine) => print(options.json ? JSON.stringify(line) : logLineText(line));
    if (!options.follow) {
      const operation = await getOperation(client, id);
      if (options.json) return printJson(operation.log ?? []);
      for (const line of operation.log ?? []) show(line);
      return;
    }
    const operation = await streamOperation(client, await operationId(client, id), show);
    if (options.json) print(JSON.stringify({ end: operation }));
    else {
      const outcome = `operation ${operation.id} ${operation.status}`;
      const reason = operation.error ? ` — ${operation.error.code}: ${operation.error.message}` : "";
      process.stderr.write(
        `${paint(operation.status === "succeeded" ? "green" : "red", outcome + reason, process.stderr)}\n`,
      );
    }
    if (operation.status !== "succeeded") throw operationFailed(operation);
  });

  return ops;
}

async function getOperation(client: AdminClient, id: string): Promise<Operation> {
  return client.get<Operation>(`/admin/operations/${encodeURIComponent(await operationId(client, id))}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEARCHED = 500;

/** A whole operation id, or the one recent operation whose id starts with `given` (as `ops list` shows them). */
export async function operationId(client: AdminClient, given: string): Promise<string> {
  const prefix = given
    .trim()
    .replace(/(…|\.\.\.)$/, "")
    .toLowerCase();
  if (UUID.test(prefix)) return prefix;
  if (!/^[0-9a-f-]+$/.test(prefix)) throw usageError(`"${given}" is not an operation id or the start of one`);
  const { operations } = await client.get<{ operations: Operation[] }>(`/admin/operations?limit=${SEARCHED}`);
  const matches = operations.filter((operation) => operation.id.startsWith(prefix));
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) {
    throw new CliError(
      "not_found",
      `no operation id among the latest ${SEARCHED} starts with ${prefix}; give the whole id (\`websplat ops list\` shows them)`,
    );
  }
  throw usageError(
    `${prefix} is the start of ${matches.length} operation ids (${matches
      .slice(0, 3)
      .map((operation) => operation.id)
      .join(", ")}${matches.length > 3 ? ", …" : ""}); give more of it`,
  );
}

export function operationTable(operations: Operation[]): string {
  return table(
    ["ID", "TENANT", "KIND", "STATUS", "ATTEMPT", "CREATED", "TOOK", "ERROR"],
    operations.map((operation) => [
      operation.id,
      operation.slug,
      operation.kind,
      statusText(operation.status),
      String(operation.attempt),
      when(operation.createdAt),
      duration(operation.startedAt, operation.finishedAt),
      operation.error?.message ?? "",
    ]),
  );
}
