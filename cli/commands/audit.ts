import { Command } from "commander";
import { type Context, type JsonOption, leaf } from "../command-kit.ts";
import { print, printJson, table, when } from "../output.ts";

interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  slug: string | null;
  details: unknown;
}

/** `websplat audit`: who did what — admin actions, owner links, billing transitions. */
export function auditCommand(context: Context): Command {
  return leaf(
    new Command("audit")
      .description("the audit log, newest first: admin actions, owner-link issuance, billing transitions")
      .option("--tenant <slug>", "only entries about this tenant")
      .option("--action <action>", "only this action, e.g. tenant.owner_link")
      .option("--limit <n>", "how many entries (1 to 1000)", "50"),
    "websplat audit --tenant acme --limit 20",
  ).action(async (options: JsonOption & { tenant?: string; action?: string; limit: string }) => {
    const client = await context.client();
    const query = new URLSearchParams({ limit: options.limit });
    if (options.tenant) query.set("slug", options.tenant);
    if (options.action) query.set("action", options.action);
    const { entries } = await client.get<{ entries: AuditEntry[] }>(`/admin/audit?${query}`);
    if (options.json) return printJson({ entries });
    if (entries.length === 0) return print("No audit entries match.");
    print(
      table(
        ["WHEN", "ACTOR", "ACTION", "TENANT", "DETAILS"],
        entries.map((e) => [
          when(e.at),
          e.actor,
          e.action,
          e.slug ?? "-",
          e.details ? JSON.stringify(e.details) : "",
        ]),
      ),
    );
  });
}
