import { Command } from "commander";
import { type Context, type JsonOption, leaf, tenantPath } from "../command-kit.ts";
import { print, printJson, table, when } from "../output.ts";

interface Site {
  name: string;
  projectId: string;
  url: string;
  liveVersion: number | null;
  versions: number;
  updatedAt: string;
  domains: string[];
}

/** `websplat sites list <slug>`: a tenant's published sites. */
export function sitesCommand(context: Context): Command {
  const sites = new Command("sites").description("a tenant's published sites and their addresses");
  leaf(
    sites
      .command("list")
      .description("the tenant's sites: public address, live version, custom domains")
      .argument("<slug>"),
    "websplat sites list acme",
  ).action(async (slug: string, options: JsonOption) => {
    const client = await context.client();
    const answer = await client.get<{ sites: Site[] }>(tenantPath(slug, "/sites"));
    if (options.json) return printJson(answer);
    if (answer.sites.length === 0) return print(`${slug} has not published a site yet.`);
    print(
      table(
        ["SITE", "ADDRESS", "LIVE", "VERSIONS", "UPDATED", "DOMAINS"],
        answer.sites.map((site) => [
          site.name,
          site.url,
          site.liveVersion === null ? "unpublished" : `v${site.liveVersion}`,
          String(site.versions),
          when(site.updatedAt),
          site.domains.join(", ") || "-",
        ]),
      ),
    );
  });
  return sites;
}
