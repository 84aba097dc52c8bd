import { Command } from "commander";
import { type Context, type JsonOption, leaf } from "../command-kit.ts";
import { CliError } from "../errors.ts";
import { fields, print, printJson, table, when } from "../output.ts";

interface AdminToken {
  id: string;
  name: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** `websplat tokens`: named admin tokens, stored hashed by the control plane; the value is shown once. */
export function tokensCommand(context: Context): Command {
  const tokens = new Command("tokens").description(
    "named admin tokens: create one per person or system, revoke it when they leave",
  );

  leaf(
    tokens
      .command("create")
      .description("create an admin token; its value is printed this once")
      .argument("<name>"),
    'websplat tokens create "ci deploy"',
  ).action(async (name: string, options: JsonOption) => {
    const client = await context.client();
    const { tokens: existing } = await client.get<{ tokens: AdminToken[] }>("/admin/tokens");
    const same = existing.find((token) => token.name === name && !token.revokedAt);
    if (same) {
      throw new CliError(
        "token_name_taken",
        `an admin token named "${name}" already exists (${same.id}); choose another name, or revoke it first with \`websplat tokens revoke ${same.id}\``,
      );
    }
    const created = await client.post<AdminToken & { token: string }>("/admin/tokens", { name });
    if (options.json) return printJson(created);
    print(
      fields([
        ["id", created.id],
        ["name", created.name],
        ["token", created.token],
      ]),
    );
    print("Keep the token now: it cannot be shown again. Use it as WEBSPLAT_ADMIN_TOKEN.");
  });

  leaf(
    tokens.command("list").description("admin tokens with their last use (never their values)"),
    "websplat tokens list",
  ).action(async (options: JsonOption) => {
    const client = await context.client();
    const { tokens: rows } = await client.get<{ tokens: AdminToken[] }>("/admin/tokens");
    if (options.json) return printJson({ tokens: rows });
    if (rows.length === 0)
      return print(
        "No admin tokens besides the bootstrap one — create one with `websplat tokens create <name>`",
      );
    print(
      table(
        ["ID", "NAME", "CREATED", "LAST USED", "REVOKED"],
        rows.map((t) => [
          t.id,
          t.name,
          when(t.createdAt),
          t.lastUsedAt ? when(t.lastUsedAt) : "never",
          t.revokedAt ? when(t.revokedAt) : "-",
        ]),
      ),
    );
  });

  leaf(
    tokens.command("revoke").description("revoke an admin token at once").argument("<id>"),
    "websplat tokens revoke 5f0c1e2a-…",
  ).action(async (id: string, options: JsonOption) => {
    const client = await context.client();
    const revoked = await client.delete<AdminToken>(`/admin/tokens/${encodeURIComponent(id)}`);
    if (options.json) return printJson(revoked);
    print(`revoked ${revoked.name} (${revoked.id})`);
  });

  return tokens;
}
