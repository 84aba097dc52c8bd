import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { PRODUCTION_ENV } from "../support/production-env.ts";

const MAIN = resolve(import.meta.dirname, "../../control-plane/main.ts");
let dir = "";

beforeAll(async () => {
  // Started outside the repository, so no .env of a developer's is read.
  dir = await mkdtemp(join(tmpdir(), "websplat-refusal-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the real control plane with exactly this environment until it exits; its exit code and stderr lines. */
function start(env: Record<string, string | undefined>): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", WEBSPLAT_DATA_DIR: join(dir, "data"), PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the control plane did not refuse to start within 20 s:\n${stderr}`));
    }, 20_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolveRun({ code, lines: stderr.trim().split("\n") });
    });
  });
}

/** Only the Pulumi driver's own settings: every one-machine default of the rest is still in place. */
const DRIVER_ONLY = {
  WEBSPLAT_DRIVER: "pulumi",
  PULUMI_BACKEND_URL: PRODUCTION_ENV.PULUMI_BACKEND_URL,
  PULUMI_CONFIG_PASSPHRASE: PRODUCTION_ENV.PULUMI_CONFIG_PASSPHRASE,
  KUBERNETES_SERVICE_HOST: "10.100.0.1",
  CLOUDFLARE_API_TOKEN: PRODUCTION_ENV.CLOUDFLARE_API_TOKEN,
  CLOUDFLARE_ZONE_ID: PRODUCTION_ENV.CLOUDFLARE_ZONE_ID,
  WEBSPLAT_RUNTIME_IMAGE: PRODUCTION_ENV.WEBSPLAT_RUNTIME_IMAGE,
  WEBSPLAT_INGRESS_HOSTNAME: PRODUCTION_ENV.WEBSPLAT_INGRESS_HOSTNAME,
  WEBSPLAT_TENANT_DB_HOST: PRODUCTION_ENV.WEBSPLAT_TENANT_DB_HOST,
  DATABASE_URL: "postgres://websplat@127.0.0.1:1/websplat",
};

test("production mode refuses every one-machine default, one line per variable with what to set, exit 1", async () => {
  const { code, lines } = await start(DRIVER_ONLY);
  expect(code).toBe(1);
  const problems = lines.slice(1);
  expect(lines[0]).toMatch(/^websplat: cannot start: \d+ problems/);
  expect(Number(/(\d+) problems/.exec(lines[0] ?? "")?.[1])).toBe(problems.length);
  // Each default that suits only one machine is named by its own line, and that line says what to set.
  const expected: Record<string, RegExp> = {
    "No email transport": /WEBSPLAT_EMAIL_TRANSPORT=ses.*SMTP_URL.*WEBSPLAT_EMAIL_TRANSPORT=off/,
    "WEBSPLAT_BASE_DOMAIN is localhost": /set the platform's domain/,
    "WEBSPLAT_SITES_DOMAIN is sites.localhost": /set the registrable domain/,
    "WEBSPLAT_PUBLIC_URL is not set": /https:\/\/websp\.lat/,
    "WEBSPLAT_TRUSTED_PROXY is not set": /address range/,
    "WEBSPLAT_METRICS_TOKEN is not set": /set a token/,
    "WEBSPLAT_ADMIN_TOKEN is not set": /set one of 24\+ characters/,
    "WEBSPLAT_OWNER_SIGNING_KEY is not set": /set an Ed25519 PEM private key/,
    "STRIPE_SECRET_KEY is not set": /set the account's secret key/,
    "WEBSPLAT_BACKUP_BUCKET is not set": /set the backup bucket's name/,
    "Neither WEBSPLAT_SITES_BUCKET nor WEBSPLAT_BACKUP_BUCKET": /data dir/,
    "Neither OPENAI_API_KEY nor OPENAI_BASE_URL": /set a model key/,
  };
  for (const [start, advice] of Object.entries(expected)) {
    const matching = problems.filter((line) => line.startsWith(`websplat: ${start}`));
    expect(matching, start).toHaveLength(1);
    expect(matching[0]).toMatch(advice);
  }
  expect(problems).toHaveLength(Object.keys(expected).length);
});

test("a sites domain inside the base domain, an outbox and a loopback public URL are refused by name", async () => {
  const { code, lines } = await start({
    ...PRODUCTION_ENV,
    WEBSPLAT_DRIVER: "pulumi",
    WEBSPLAT_SITES_DOMAIN: "sites.websp.lat",
    WEBSPLAT_EMAIL_TRANSPORT: "outbox",
    WEBSPLAT_PUBLIC_URL: "http://127.0.0.1:8080",
  });
  expect(code).toBe(1);
  expect(lines.slice(1)).toEqual([
    expect.stringMatching(
      /^websplat: WEBSPLAT_SITES_DOMAIN sites\.websp\.lat is inside WEBSPLAT_BASE_DOMAIN/,
    ),
    expect.stringMatching(/^websplat: WEBSPLAT_PUBLIC_URL http:\/\/127\.0\.0\.1:8080 names this machine/),
    expect.stringMatching(/^websplat: WEBSPLAT_EMAIL_TRANSPORT is outbox: .*WEBSPLAT_EMAIL_TRANSPORT=ses/),
  ]);
});

test("email explicitly off is a documented choice, not a problem: only the missing trusted proxy is named", async () => {
  const { WEBSPLAT_TRUSTED_PROXY: _unset, ...env } = PRODUCTION_ENV;
  const { code, lines } = await start({ ...env, WEBSPLAT_DRIVER: "pulumi", WEBSPLAT_EMAIL_TRANSPORT: "off" });
  expect(code).toBe(1);
  expect(lines).toEqual([
    expect.stringMatching(
      /^websplat: WEBSPLAT_DRIVER=pulumi needs more configuration: WEBSPLAT_TRUSTED_PROXY is not set/,
    ),
  ]);
});

test("a sites-only process is not asked for the driver's, billing's or email's settings", async () => {
  const { code, lines } = await start({
    WEBSPLAT_DRIVER: "pulumi",
    WEBSPLAT_ROLE: "sites",
    WEBSPLAT_BASE_DOMAIN: "websp.lat",
    WEBSPLAT_PUBLIC_URL: "https://websp.lat",
    WEBSPLAT_SITES_DOMAIN: "websplat.site",
    WEBSPLAT_TRUSTED_PROXY: "10.0.0.0/16",
    WEBSPLAT_SITES_BUCKET: "websplat-sites",
  });
  expect(code).toBe(1);
  expect(lines.slice(1)).toEqual([
    expect.stringMatching(/^websplat: WEBSPLAT_METRICS_TOKEN is not set/),
    expect.stringMatching(/^websplat: DATABASE_URL is not set: a sites process/),
  ]);
});
