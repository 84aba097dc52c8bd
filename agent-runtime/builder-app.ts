import type { RequestListener } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { inArray } from "drizzle-orm";
import type { Logger } from "pino";
import type { Sql } from "postgres";
import type { RuntimeConfig } from "./config.ts";
import { builderDatabase } from "./db/index.ts";
import { runs } from "./db/schema.ts";
import { createApp } from "./http/app.ts";
import { builderRoutes } from "./http/builder.ts";
import { createLlmClient } from "./llm/index.ts";
import { createBuilderMetrics } from "./metrics.ts";
import { RunEventLog } from "./runs/events.ts";
import { RunExecutor } from "./runs/executor.ts";
import { BuilderService } from "./runs/service.ts";

const SWEEP_MS = 15_000;

export interface BuilderApp {
  /** Every route but the launch-time `/healthz`: sign-in, UI, API, preview, metrics. */
  listener: RequestListener;
  /** Stops intake of runs and checkpoints the running ones as interrupted. */
  shutdown(): Promise<void>;
}

/**
 * The builder behind the runtime's HTTP surface: agents, model, runs and UI. Started once migrations are
 * applied; runs a crash left leased to this host are marked interrupted before any request is served.
 */
export async function startBuilderApp(deps: {
  config: RuntimeConfig;
  log: Logger;
  sql: Sql;
  isReady(): boolean;
}): Promise<BuilderApp> {
  const { config, log } = deps;
  const db = builderDatabase(deps.sql);
  const events = new RunEventLog(db);
  const llm = await createLlmClient(config);
  const metrics = createBuilderMetrics(config.tenant);
  const executor = new RunExecutor({ db, llm, config, log, events, metrics });
  const service = new BuilderService({ db, llm, config, log, events, metrics }, executor);
  const app = createApp({
    config,
    db,
    log,
    isReady: deps.isReady,
    // The platform asks before stopping an idle runtime: a run in progress is work to finish first.
    isBusy: async () =>
      (
        await db
          .select({ id: runs.id })
          .from(runs)
          .where(inArray(runs.status, ["queued", "running"]))
          .limit(1)
      ).length > 0,
    metrics,
    builder: builderRoutes({ service, events, db, config }),
  });
  const interrupted = await service.recoverOrphanedRuns(true);
  const sweep = setInterval(() => {
    service.recoverOrphanedRuns(false).catch((err) => log.warn({ err }, "run sweep failed"));
  }, SWEEP_MS);
  sweep.unref();
  log.info({ model: llm.model, interrupted }, "builder ready, runs recovered");
  return {
    listener: getRequestListener(app.fetch),
    async shutdown() {
      clearInterval(sweep);
      await executor.shutdown();
    },
  };
}
