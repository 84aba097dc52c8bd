import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { Logger } from "pino";
import type { RuntimeConfig } from "./config.ts";
import { applyMigrations, connectDatabase } from "./db/index.ts";
import { createApp } from "./http/app.ts";

export interface RunningRuntime {
  port: number;
  /** Stops intake, stops runs gracefully, closes the database. */
  close(): Promise<void>;
}

/** Listens at once (healthz answers 503 until ready), applies migrations, then serves the builder. */
export async function startRuntime(config: RuntimeConfig, log: Logger): Promise<RunningRuntime> {
  const connection = connectDatabase(config.databaseUrl, config.schema);
  let ready = false;
  const builder = new Hono().get("/api/projects", async (c) => c.json({ projects: [] }));
  const app = createApp({ config, db: connection.db, log, isReady: () => ready, builder });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, host: config.host }, "listening");
  try {
    const applied = await applyMigrations(connection.sql, config.schema);
    log.info({ applied }, "migrations applied");
  } catch (error) {
    server.close();
    await connection.close();
    throw error;
  }
  ready = true;
  log.info({ port }, "ready");
  return {
    port,
    async close() {
      server.close();
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      await connection.close();
    },
  };
}
