import { stderr, stdin } from "node:process";
import { createInterface } from "node:readline/promises";
import { Command } from "commander";
import type { AdminClient } from "../admin-client.ts";
import type { Tenant } from "../api-types.ts";
import {
  type Context,
  type JsonOption,
  leaf,
  tenantPath,
  type WaitOption,
  waitable,
} from "../command-kit.ts";
import { CliError, usageError } from "../errors.ts";
import { followOperation, operationFailed, withSpinner } from "../operation-progress.ts";
import { fields, print, printJson, table, when } from "../output.ts";

/** A backup as `GET /admin/tenants/:slug/backups` lists it. */
interface Backup {
  id: string;
  slug: string;
  createdAt: string;
  sizeBytes: number;
  checksum: string;
  location: string;
  tables: Record<string, number>;
}

export function backupCommand(context: Context): Command {
  const backup = new Command("backup").description("a tenant's backups: its database schema and site files");

  leaf(
    waitable(backup.command("create").description("take a backup now").argument("<slug>")),
    "websplat backup create acme",
  ).action((slug: string, options: WaitOption) =>
    backupRoute(context, slug, options, `backing up ${slug}`, (client) =>
      client.post(tenantPath(slug, "/backups")),
    ),
  );

  leaf(
    backup.command("list").description("the tenant's backups, newest first").argument("<slug>"),
    "websplat backup list acme",
  ).action(async (slug: string, options: JsonOption) => {
    const client = await context.client();
    const answer = await withBackupRoutes(client, slug, () =>
      client.get<{ backups: Backup[] }>(tenantPath(slug, "/backups")),
    );
    const { backups } = answer;
    if (options.json) return printJson({ backups });
    if (backups.length === 0)
      return print(`${slug} has no backups yet — take one with \`websplat backup create ${slug}\``);
    print(
      table(
        ["ID", "CREATED", "SIZE", "ROWS", "CHECKSUM"],
        backups.map((each) => [
          each.id,
          when(each.createdAt),
          size(each.sizeBytes),
          String(rows(each)),
          each.checksum.slice(0, 12),
        ]),
      ),
    );
  });

  leaf(
    waitable(
      backup
        .command("restore")
        .description("restore a backup into the tenant, or into another tenant with --target")
        .argument("<slug>")
        .requiredOption("--backup <id>", "the backup to restore (see `websplat backup list`)")
        .option("--target <slug>", "restore into this tenant instead of the backup's own")
        .option("--yes", "restore in place without asking (required when not on a terminal)"),
    ),
    "websplat backup restore acme --backup 2025-03-01T12-00-00Z",
  ).action(async (slug: string, options: RestoreOptions) => {
    const inPlace = !options.target || options.target === slug;
    // Restoring in place replaces the tenant's current data: asked first, and undoable from a fresh backup.
    const safety = inPlace ? await safetyBackup(context, slug, options) : undefined;
    await backupRoute(
      context,
      slug,
      options,
      `restoring ${options.backup} into ${options.target ?? slug}`,
      (client) =>
        client.post(tenantPath(slug, "/restore"), {
          backupId: options.backup,
          ...(options.target ? { target: options.target } : {}),
        }),
      safety ? { safetyBackup: safety } : {},
    );
  });

  return backup;
}

type RestoreOptions = WaitOption & { backup: string; target?: string; yes?: boolean };

/**
 * Before a restore in place: the operator's yes (asked on a terminal, `--yes` otherwise), then a backup of
 * the tenant as it is now, whose id is printed so the restore can be undone.
 */
async function safetyBackup(context: Context, slug: string, options: RestoreOptions): Promise<Backup> {
  if (!options.yes) {
    if (!stdin.isTTY || !stderr.isTTY || options.json)
      throw usageError(
        `restoring ${options.backup} replaces ${slug}'s current database and site files: add --yes to confirm`,
      );
    const prompt = createInterface({ input: stdin, output: stderr });
    const answer = await prompt
      .question(
        `Restore ${options.backup} into ${slug}? This replaces its current database and site files (a backup of them is taken first). [y/N] `,
      )
      .finally(() => prompt.close());
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new CliError("cancelled", `nothing restored: ${slug} is unchanged`);
  }
  const client = await context.client();
  const { backup } = await withSpinner(`backing up ${slug} before the restore`, options.json === true, () =>
    withBackupRoutes(client, slug, () => client.post<{ backup: Backup }>(tenantPath(slug, "/backups"))),
  );
  if (!options.json)
    print(
      `safety backup ${backup.id} taken; to undo the restore: websplat backup restore ${slug} --backup ${backup.id} --yes`,
    );
  return backup;
}

/** Create and restore answer an operation to follow (and possibly the backup itself). */
async function backupRoute(
  context: Context,
  slug: string,
  options: WaitOption,
  title: string,
  request: (client: AdminClient) => Promise<{ operationId?: string; backup?: Backup }>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const client = await context.client();
  const answer = await withSpinner(title, options.json === true, () =>
    withBackupRoutes(client, slug, () => request(client)),
  );
  if (!answer.operationId || !options.wait) {
    if (options.json) return printJson({ ...answer, ...extra });
    return print(answer.backup ? describeBackup(answer.backup) : `${title}: started`);
  }
  const operation = await followOperation(client, answer.operationId, { title, json: options.json === true });
  if (options.json) printJson({ ...answer, ...extra, operation });
  else if (answer.backup?.id) print(`backup ${answer.backup.id}`);
  if (operation.status !== "succeeded") throw operationFailed(operation);
}

/**
 * The backup routes come with a later control plane. A 404 for a tenant that exists means this
 * control plane does not have them yet, which deserves its own sentence rather than "not found".
 */
async function withBackupRoutes<T>(client: AdminClient, slug: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof CliError) || error.status !== 404) throw error;
    const tenant = await client.get<Tenant>(tenantPath(slug)).catch(() => null);
    if (!tenant) throw error;
    throw new CliError(
      "backups_unsupported",
      `the control plane at ${client.url} has no backup routes yet — update it to a version with backups, then try again`,
    );
  }
}

function describeBackup(backup: Backup): string {
  return fields([
    ["id", backup.id],
    ["created", when(backup.createdAt)],
    ["size", size(backup.sizeBytes)],
    ["checksum", backup.checksum],
    ["location", backup.location],
    [
      "tables",
      Object.entries(backup.tables)
        .map(([name, count]) => `${name} ${count}`)
        .join(", "),
    ],
  ]);
}

function rows(backup: Backup): number {
  return Object.values(backup.tables).reduce((sum, count) => sum + count, 0);
}

function size(bytes: unknown): string {
  if (typeof bytes !== "number") return "-";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}
