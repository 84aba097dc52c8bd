/**
 * Provider plugins of the tenant program, at the versions the installed SDK packages expect.
 * The control plane image bakes them at build time (`node stacks/pulumi/plugins.ts` prints
 * `<name> <version>` lines); the driver checks them at boot instead of downloading them.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

export const PLUGIN_PACKAGES = [
  "@pulumi/kubernetes",
  "@pulumi/postgresql",
  "@pulumi/cloudflare",
  "@pulumi/random",
] as const;

export interface PluginVersion {
  name: string;
  version: string;
}

/** Plugin versions pinned by the installed provider SDKs (`pulumi.version` of their package.json). */
export async function pluginVersions(from = import.meta.url): Promise<PluginVersion[]> {
  const require = createRequire(from);
  return Promise.all(
    PLUGIN_PACKAGES.map(async (name) => {
      const manifest = JSON.parse(await readFile(require.resolve(`${name}/package.json`), "utf8"));
      return {
        name: manifest.pulumi?.name ?? name.replace("@pulumi/", ""),
        version: String(manifest.pulumi?.version ?? manifest.version).replace(/^v/, ""),
      };
    }),
  );
}

if (import.meta.main) {
  for (const plugin of await pluginVersions()) process.stdout.write(`${plugin.name} ${plugin.version}\n`);
}
