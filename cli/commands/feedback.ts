import { Command } from "commander";
import { type Context, type JsonOption, leaf, positiveInteger } from "../command-kit.ts";
import { print, printJson, table, when } from "../output.ts";

interface FeedbackEntry {
  id: number;
  slug: string;
  at: string;
  message: string;
  mayContact: boolean;
  contact: string | null;
  page: string | null;
}

/** `websplat feedback list`: what owners sent from the builder's "Help and feedback". */
export function feedbackCommand(context: Context): Command {
  const list = leaf(
    new Command("list")
      .description("what owners sent from the builder, newest first")
      .option("--tenant <slug>", "only from this tenant")
      .option("--limit <n>", "at most this many (1 to 1000)", positiveInteger("--limit")),
    "websplat feedback list --tenant acme",
  ).action(async (options: JsonOption & { tenant?: string; limit?: number }) => {
    const client = await context.client();
    const query = new URLSearchParams({ limit: String(options.limit ?? 50) });
    if (options.tenant) query.set("slug", options.tenant);
    const { entries } = await client.get<{ entries: FeedbackEntry[] }>(`/admin/feedback?${query}`);
    if (options.json) return printJson({ entries });
    if (entries.length === 0) return print("No feedback yet.");
    print(
      table(
        ["WHEN", "TENANT", "CONTACT", "MESSAGE"],
        entries.map((e) => [
          when(e.at),
          e.slug,
          e.contact ?? "no",
          e.message.replace(/\s+/g, " ").slice(0, 100),
        ]),
      ),
    );
  });
  return new Command("feedback").description("owner feedback from the builder").addCommand(list);
}
