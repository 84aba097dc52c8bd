import { Command } from "commander";
import type { AdminClient } from "../admin-client.ts";
import { type Context, type JsonOption, leaf, tenantPath } from "../command-kit.ts";
import { print, printJson, statusText, table, when } from "../output.ts";

interface Domain {
  hostname: string;
  site: string;
  status: string;
  records: { type: string; name: string; value: string }[];
  reason?: string;
  checkedAt: string | null;
  expiresAt: string | null;
}

/**
 * `websplat domains list|check <slug>`: a tenant's custom domains, and a DNS check of them now (audited);
 * `websplat domains release <hostname>`: frees a hostname from every tenant's claim (audited).
 */
export function domainsCommand(context: Context): Command {
  const domains = new Command("domains").description("a tenant's custom domains and their DNS records");
  const show = async (
    options: JsonOption,
    slug: string,
    load: (client: AdminClient) => Promise<{ domains: Domain[] }>,
  ) => {
    const answer = await load(await context.client());
    if (options.json) return printJson(answer);
    if (answer.domains.length === 0) return print(`${slug} has no custom domains.`);
    print(
      table(
        ["DOMAIN", "SITE", "STATUS", "CHECKED", "RECORDS TO CREATE", "REASON"],
        answer.domains.map((d) => [
          d.hostname,
          d.site,
          statusText(d.status),
          when(d.checkedAt),
          d.records.map((r) => `${r.type} ${r.name} → ${r.value}`).join("; "),
          d.reason ?? "",
        ]),
      ),
    );
  };
  leaf(
    domains
      .command("list")
      .description("the tenant's domains with the records to create and their status")
      .argument("<slug>"),
    "websplat domains list acme",
  ).action((slug: string, options: JsonOption) =>
    show(options, slug, (client) => client.get(tenantPath(slug, "/domains"))),
  );
  leaf(
    domains
      .command("check")
      .description("look every domain up in DNS now and move each on")
      .argument("<slug>"),
    "websplat domains check acme",
  ).action((slug: string, options: JsonOption) =>
    show(options, slug, (client) => client.post(tenantPath(slug, "/domains/check"))),
  );
  leaf(
    domains
      .command("release")
      .description("free a hostname: delete every tenant's claim on it, verified or not (audited)")
      .argument("<hostname>"),
    "websplat domains release www.example.com",
  ).action(async (hostname: string, options: JsonOption) => {
    const client = await context.client();
    const answer = await client.post<{
      hostname: string;
      released: { slug: string; site: string; status: string }[];
    }>(`/admin/domains/${encodeURIComponent(hostname)}/release`);
    if (options.json) return printJson(answer);
    print(
      `Released ${answer.hostname} from ${answer.released.map((claim) => `${claim.slug} (site ${claim.site}, ${claim.status})`).join(", ")}.`,
    );
  });
  return domains;
}
