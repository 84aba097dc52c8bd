import { z } from "zod";
import { type Services, tenantUrl } from "../platform-services.ts";
import { TENANT_HEADER, tenantApiToken } from "../tenant-access.ts";

/** A sleeping runtime (scale to zero) starts in a few seconds; a busy machine may need longer. */
const WAKE_TIMEOUT_MS = 60_000;
const ANSWER_TIMEOUT_MS = 120_000;

/** What the runtime answers on `GET /platform/sites` (agent-runtime/http/platform-api.ts). */
const SiteHeads = z.object({
  sites: z.array(z.object({ id: z.string(), name: z.string(), files: z.record(z.string(), z.string()) })),
});

export type SiteFiles = { files: Map<string, string> } | { files: null; reason: string };

/**
 * The head files of every project's main branch at `sites/<project name>-<id prefix>/<path>`, as the tenant's
 * runtime answers for them: the builder owns its tables, the platform asks it with the tenant's credential.
 * A runtime that is not running (a suspended tenant) or cannot answer leaves the files out, with the reason.
 */
export async function siteFiles(services: Services, slug: string): Promise<SiteFiles> {
  const runtime = await reachRuntime(services, slug);
  if (!runtime)
    return { files: null, reason: "the builder was not running (a suspended tenant's builder is stopped)" };
  try {
    const response = await fetch(`${runtime.url}/platform/sites`, {
      headers: {
        authorization: `Bearer ${tenantApiToken(services.ownerPrivateKey, slug)}`,
        [TENANT_HEADER]: slug,
      },
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`the builder answered ${response.status}`);
    const { sites } = SiteHeads.parse(await response.json());
    const files = new Map<string, string>();
    for (const site of sites) {
      const folder = `sites/${folderName(site.name)}-${site.id.slice(0, 8)}`;
      for (const [path, content] of Object.entries(site.files))
        files.set(`${folder}/${safePath(path)}`, content);
    }
    return { files };
  } catch (error) {
    services.logger.warn({ err: error, tenant: slug }, "the builder could not list its sites for an export");
    return { files: null, reason: "the builder could not list its sites just now" };
  } finally {
    runtime.done();
  }
}

/**
 * Where the control plane reaches the tenant's runtime, woken if it sleeps and kept awake until `done`:
 * the local runtime on loopback, otherwise the tenant's own address. Null when it is not running.
 */
async function reachRuntime(services: Services, slug: string): Promise<{ url: string; done(): void } | null> {
  const runtimes = services.driver.runtimes;
  if (!runtimes) return { url: tenantUrl(services, slug), done: () => {} };
  const port = runtimes.route(slug) ?? (await runtimes.wake(slug, WAKE_TIMEOUT_MS).catch(() => null));
  return port === null ? null : { url: `http://127.0.0.1:${port}`, done: runtimes.activity(slug) };
}

/** A path inside the site's folder, whatever the runtime answered: no empty, `.` or `..` segment. */
function safePath(path: string): string {
  return path
    .split("/")
    .filter((part) => part && part !== "." && part !== "..")
    .join("/");
}

function folderName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 40) || "site"
  );
}
