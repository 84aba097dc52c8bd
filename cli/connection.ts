import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CliError, usageError } from "./errors.ts";

export const DEFAULT_URL = "http://localhost:8080";

/** Where the control plane is: `WEBSPLAT_URL`, else the local default; a mistake in it is a usage error. */
export function controlPlaneUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = (env.WEBSPLAT_URL || DEFAULT_URL).replace(/\/+$/, "");
  if (!/^https?:\/\//i.test(url)) {
    const fix = /^[\w.-]+(:\d+)?(\/|$)/.test(url) ? ` — write it with its scheme, e.g. http://${url}` : "";
    throw usageError(`WEBSPLAT_URL "${url}" is not an http:// or https:// address${fix}`);
  }
  if (!URL.canParse(url)) throw usageError(`WEBSPLAT_URL "${url}" is not a valid address`);
  return url;
}

/** `WEBSPLAT_ADMIN_TOKEN`, else the token the control plane wrote into its data dir on first start. */
export async function adminToken(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.WEBSPLAT_ADMIN_TOKEN) return env.WEBSPLAT_ADMIN_TOKEN;
  const file = join(env.WEBSPLAT_DATA_DIR || ".data", "admin-token");
  try {
    const token = (await readFile(file, "utf8")).trim();
    if (token) return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  throw new CliError(
    "no_admin_token",
    `no admin token: set WEBSPLAT_ADMIN_TOKEN (\`npm start\` prints it) or run from the folder that holds ${file}`,
  );
}
