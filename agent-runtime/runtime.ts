import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { BuilderApp } from "./builder-app.ts";
import type { RuntimeConfig } from "./config.ts";
import { connectTenantDatabase } from "./db/connection.ts";
import { migrationsUpToDate } from "./db/migration-level.ts";
import { type LaunchState, launchListener } from "./http/launch.ts";

export interface RunningRuntime {
  port: number;
  /** Settles once the builder (agents, model, UI) has started after ready; rejects if it could not. */
  builder: Promise<void>;
  /** Stops intake, checkpoints runs as interrupted, closes the database. */
  close(): Promise<void>;
}

/** With nobody asking for /healthz or the builder, the builder still starts this long after ready. */
const BUILDER_START_MS = 100;

/**
 * Listens at once (healthz answers 503 until ready), applies migrations, and is ready: only what that needs
 * is loaded first. The builder loads once ready has been answered, so loading it never delays that answer;
 * a request that needs it sooner waits for it.
 */
export async function startRuntime(config: RuntimeConfig, log: Logger): Promise<RunningRuntime> {
  const sql = connectTenantDatabase(config.databaseUrl, config.schema);
  // Connecting and migrating go on while the server starts.
  const migrated = migrationsUpToDate(sql, config.schema).then(async (upToDate) => {
    if (upToDate) return 0;
    const { applyMigrations } = await import("./db/migrate.ts");
    return applyMigrations(sql, config.schema);
  });
  migrated.catch(() => {});
  let state: LaunchState = "starting";
  // The builder starts when first asked for: by the first ready answer, a request needing it, or a timer.
  let builderRequested = false;
  let requestBuilder = () => {};
  const builder = new Promise<void>((resolve) => {
    requestBuilder = resolve;
  })
    .then(() => migrated)
    .then(async (): Promise<BuilderApp> => {
      const { startBuilderApp } = await import("./builder-app.ts");
      return startBuilderApp({ config, log, sql, isReady: () => state === "ready" });
    });
  builder.catch(() => {});
  const startBuilder = () => {
    builderRequested = true;
    requestBuilder();
    return builder;
  };
  const server = createServer(
    launchListener({
      tenant: config.tenant,
      state: () => state,
      builder: () => startBuilder().then((app) => app.listener),
      readyAnswered: () => setImmediate(startBuilder),
    }),
  );
  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    await sql.end({ timeout: 2 });
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  log.info({ port, host: config.host }, "listening");
  try {
    const applied = await migrated;
    log.info({ applied }, "migrations applied");
  } catch (error) {
    server.close();
    await sql.end({ timeout: 2 });
    throw error;
  }
  state = "ready";
  log.info({ port }, "ready");
  const fallback = setTimeout(startBuilder, BUILDER_START_MS);
  const started = builder.then(
    () => {},
    (error: unknown) => {
      state = "failed";
      log.fatal({ err: error }, "the builder could not start");
      throw error;
    },
  );
  started.catch(() => {});
  return {
    port,
    builder: started,
    async close() {
      clearTimeout(fallback);
      server.close();
      if (builderRequested) {
        const app = await builder.catch(() => undefined);
        await app?.shutdown();
      }
      server.closeAllConnections();
      await sql.end({ timeout: 2 });
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
    server.listen(port, host);
  });
}
