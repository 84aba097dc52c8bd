import { Resolver } from "node:dns/promises";

/** What the DNS says about a custom domain's two records. */
export interface DnsFindings {
  cname: string[];
  txt: string[];
  /** Why a lookup failed (no such name, no answer, resolver unreachable), by record. */
  errors: { cname?: string; txt?: string };
}

/**
 * Real DNS lookups through the configured resolvers (`WEBSPLAT_DNS_RESOLVER`, e.g. `1.1.1.1` or
 * `127.0.0.1:5353`), else the system's. Each lookup gives up after a few seconds.
 */
export function dnsChecker(servers: string | undefined) {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  if (servers) resolver.setServers(servers.split(",").map((server) => server.trim()));
  return async (hostname: string): Promise<DnsFindings> => {
    const errors: DnsFindings["errors"] = {};
    const [cname, txt] = await Promise.all([
      resolver.resolveCname(hostname).catch((error: NodeJS.ErrnoException) => {
        errors.cname = lookupFailure(error, hostname);
        return [] as string[];
      }),
      resolver.resolveTxt(`_websplat.${hostname}`).catch((error: NodeJS.ErrnoException) => {
        errors.txt = lookupFailure(error, `_websplat.${hostname}`);
        return [] as string[][];
      }),
    ]);
    return {
      cname: cname.map((name) => name.toLowerCase().replace(/\.$/, "")),
      txt: txt.map((chunks) => chunks.join("")),
      errors,
    };
  };
}

export type DnsCheck = ReturnType<typeof dnsChecker>;

/** What a failed lookup means for someone setting up the domain. */
function lookupFailure(error: NodeJS.ErrnoException, name: string): string {
  switch (error.code) {
    case "ENOTFOUND":
      return `${name} does not exist in DNS yet`;
    case "ENODATA":
      return `${name} has no record of that type`;
    case "ETIMEOUT":
    case "ECONNREFUSED":
      return `the DNS resolver did not answer for ${name}; try again in a minute`;
    default:
      return `looking up ${name} failed (${error.code ?? error.message})`;
  }
}
