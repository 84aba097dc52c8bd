import { existsSync } from "node:fs";
import { SHUTDOWN_GRACE_MS } from "../stacks/index.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { hasLocalMailbox, mailboxKey } from "./email/index.ts";
import { startPlatform } from "./platform.ts";
import { startFailureMessage } from "./start-errors.ts";

/** Signals that end the control plane: Ctrl-C, `kill`, a closed terminal. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** `npm start`: the whole platform on this machine (or, with WEBSPLAT_DRIVER=pulumi, the production control plane). */
async function main(): Promise<void> {
  // Files the control plane creates (secrets, backups, runtime logs, stack records) are its own alone.
  process.umask(0o077);
  // `.env` is read when present; variables already set in the environment win over it.
  if (existsSync(".env")) process.loadEnvFile(".env");
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // One line per problem, so an operator reading a pod's log sees each variable to set on its own.
      const lines =
        error.problems.length > 1
          ? [
              `cannot start: ${error.problems.length} problems with this configuration (WEBSPLAT_DRIVER=${process.env.WEBSPLAT_DRIVER}).`,
              ...error.problems,
            ]
          : [error.message];
      process.stderr.write(lines.map((line) => `websplat: ${line}\n`).join(""));
      process.exit(1);
    }
    throw error;
  }

  // A signal during start is honoured once start has finished (or failed) and left everything consistent.
  let stopRequested: string | null = null;
  let stop: (signal: string) => void = (signal) => {
    stopRequested ??= signal;
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
  watchParent(() => stop("the exit of the parent process"));

  const platform = await startPlatform(config);
  const lines =
    config.WEBSPLAT_ROLE === "sites"
      ? sitesLines(platform.url)
      : [
          "",
          ...platform.notes,
          "WebSplat control plane is running.",
          `  Signup:          ${platform.url}/`,
          `  API docs:        ${platform.url}/docs`,
          `  Admin token:     ${platform.adminTokenGenerated || !config.WEBSPLAT_ADMIN_TOKEN ? platform.adminToken : "(from WEBSPLAT_ADMIN_TOKEN)"}`,
          // A secret the operator supplied is not echoed: stdout is shipped to the log store in production.
          config.localBilling && !config.STRIPE_WEBHOOK_SECRET
            ? `  Webhook secret:  ${platform.webhookSecret}   (local test payments; for the Stripe CLI: stripe listen --forward-to localhost:${platform.port}/webhooks/stripe)`
            : "  Webhook secret:  (from STRIPE_WEBHOOK_SECRET)",
          `  Tenants:         http://<slug>.${config.WEBSPLAT_BASE_DOMAIN}:${platform.port}/`,
          ...(hasLocalMailbox(config)
            ? [
                `  Mailbox:         ${platform.url}/dev/mailbox?key=${mailboxKey(platform.adminToken)}   (sign-in links; yours alone)`,
              ]
            : []),
          `  Database:        ${platform.embeddedDatabase ? `embedded PostgreSQL in ${config.WEBSPLAT_DATA_DIR}/postgres` : "DATABASE_URL"}`,
          "",
        ];
  process.stdout.write(`${lines.join("\n")}\n`);

  function sitesLines(url: string): string[] {
    return [
      "",
      "WebSplat sites server is running (WEBSPLAT_ROLE=sites): published sites and custom domains only.",
      `  Listening:       ${url}/`,
      `  Sites:           ${new URL(url).protocol}//<site>--<slug>.${config.WEBSPLAT_SITES_DOMAIN}:${platform.port}/`,
      "",
    ];
  }

  let stopping = false;
  stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(
      `Received ${signal}: stopping intake, draining the queue, stopping runtimes and Postgres...\n`,
    );
    // With the Pulumi driver, running tenant operations are let finish (the pod's grace period allows it).
    const graceMs = config.WEBSPLAT_DRIVER === "pulumi" ? SHUTDOWN_GRACE_MS : 45_000;
    const force = setTimeout(() => {
      process.stderr.write(`Shutdown took longer than ${graceMs / 1000} s; exiting.\n`);
      process.exit(1);
    }, graceMs);
    force.unref();
    void platform.stop().then(() => {
      writeQuietly("Stopped.\n");
      process.exit(0);
    });
  };
  if (stopRequested) stop(stopRequested);
}

/**
 * `npm start` runs us under npm: when npm goes away (killed, its terminal closed) we are re-parented, and stop
 * instead of running on with nobody to stop us.
 */
function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, 500);
  timer.unref();
}

/** stdout may be a closed terminal by now (SIGHUP); the exit code is what counts then. */
function writeQuietly(text: string): void {
  try {
    process.stdout.write(text);
  } catch {}
}

process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

main().catch((error) => {
  process.stderr.write(`websplat: could not start: ${startFailureMessage(error)}\n`);
  process.exit(1);
});
