import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Logger } from "pino";
import type { RuntimeConfig } from "./config.ts";
import { applyMigrations, connectDatabase } from "./db/index.ts";
import { createApp } from "./http/app.ts";
import { builderRoutes } from "./http/builder.ts";
import { createLlmClient } from "./llm/index.ts";
import { RunEventLog } from "./runs/events.ts";
import { RunExecutor } from "./runs/executor.ts";
import { BuilderService } from "./runs/service.ts";

export interface RunningRuntime {
  port: number;
  /** Stops intake, checkpoints runs as interrupted, closes the database. */
  close(): Promise<void>;
}

const SWEEP_MS = 15_000;

/** Listens at once (healthz answers 503 until ready), applies migrations, recovers runs, serves. */
export async function startRuntime(config: RuntimeConfig, log: Logger): Promise<RunningRuntime> {
  const connection = connectDatabase(config.databaseUrl, config.schema);
  const { db } = connection;
  const events = new RunEventLog(db);
  const llm = await createLlmClient(config);
  const executor = new RunExecutor({ db, llm, config, log, events });
  const service = new BuilderService({ db, llm, config, log, events }, executor);
  let ready = false;
  const app = createApp({
    config,
    db,
    log,
    isReady: () => ready,
    builder: builderRoutes({ service, events, db, config }),
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ port, host: config.host, model: llm.model }, "listening");
  try {
    const applied = await applyMigrations(connection.sql, config.schema);
    const interrupted = await service.recoverOrphanedRuns(true);
    log.info({ applied, interrupted }, "migrations applied, runs recovered");
  } catch (error) {
    server.close();
    await connection.close();
    throw error;
  }
  const sweep = setInterval(() => {
    service.recoverOrphanedRuns(false).catch((err) => log.warn({ err }, "run sweep failed"));
  }, SWEEP_MS);
  sweep.unref();
  ready = true;
  log.info({ port }, "ready");
  return {
    port,
    async close() {
      clearInterval(sweep);
      server.close();
      await executor.shutdown();
      if ("closeAllConnections" in server) server.closeAllConnections();
      await connection.close();
    },
  };
}
