import { enableCompileCache } from "node:module";
import type { RuntimeConfig } from "./config.ts";
import type { RunningRuntime } from "./runtime.ts";

// Cached bytecode halves the time to load drizzle, zod and hono on every start after the first;
// where the cache directory is not writable this silently does nothing.
enableCompileCache();
const { resolveEsmPackagesDirectly } = await import("./module-resolution.ts");
resolveEsmPackagesDirectly();

const { createRuntimeLogger } = await import("./logging.ts");
const { ConfigError, loadConfig } = await import("./config.ts");

// Launch contract: `node agent-runtime/main.ts` with the tenant's environment (see config.ts).
let config: RuntimeConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`websplat runtime: invalid configuration: ${error.message}\n`);
  process.exit(1);
}

const log = createRuntimeLogger(config.logLevel, config.tenant);
let runtime: RunningRuntime | undefined;
let stopping = false;

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  // The platform gives a few seconds; never hang past them.
  setTimeout(() => process.exit(1), 4500).unref();
  await runtime?.close();
  await stopTracing().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

// Traces only when a collector is configured: otherwise OpenTelemetry is never loaded.
const { startTracing } = await import("./tracing.ts");
const stopTracing = await startTracing("websplat-runtime", config.tracesEndpoint);

try {
  // Loaded after the configuration is valid, so a bad variable is reported at once.
  const { startRuntime } = await import("./runtime.ts");
  runtime = await startRuntime(config, log);
} catch (error) {
  log.fatal({ err: error }, "start failed; is DATABASE_URL the tenant's role with its own schema?");
  process.exit(1);
}

// The builder starts after ready; a runtime that cannot build serves nothing, so it exits to be restarted.
runtime.builder.catch(async () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 4500).unref();
  await runtime?.close();
  process.exit(1);
});
