import { ConfigError, loadConfig } from "./config.ts";
import { startPlatform } from "./platform.ts";

/** `npm start`: the whole platform on this machine (or, with WEBSPLAT_DRIVER=pulumi, the production control plane). */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`websplat: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const platform = await startPlatform(config);
  const lines = [
    "",
    "WebSplat control plane is running.",
    `  Signup:          ${platform.url}/`,
    `  API docs:        ${platform.url}/docs`,
    `  Admin token:     ${platform.adminTokenGenerated || !process.env.WEBSPLAT_ADMIN_TOKEN ? platform.adminToken : "(from WEBSPLAT_ADMIN_TOKEN)"}`,
    // A secret the operator supplied is not echoed: stdout is shipped to the log store in production.
    config.localBilling && !process.env.STRIPE_WEBHOOK_SECRET
      ? `  Webhook secret:  ${platform.webhookSecret}   (local test payments; for the Stripe CLI: stripe listen --forward-to localhost:${platform.port}/webhooks/stripe)`
      : "  Webhook secret:  (from STRIPE_WEBHOOK_SECRET)",
    `  Tenants:         http://<slug>.${config.WEBSPLAT_BASE_DOMAIN}:${platform.port}/`,
    `  Database:        ${platform.embeddedDatabase ? `embedded PostgreSQL in ${config.WEBSPLAT_DATA_DIR}/postgres` : "DATABASE_URL"}`,
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(
      `Received ${signal}: stopping intake, draining the queue, stopping runtimes and Postgres...\n`,
    );
    const force = setTimeout(() => {
      process.stderr.write("Shutdown took longer than 45 s; exiting.\n");
      process.exit(1);
    }, 45_000);
    force.unref();
    await platform.stop();
    process.stdout.write("Stopped.\n");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error) => {
  process.stderr.write(
    `websplat: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
