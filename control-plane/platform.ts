import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { sql as dsql } from "drizzle-orm";
import { LocalDriver, type StackDriver } from "../stacks/index.ts";
import { databaseName, type PlatformInput } from "../tenant-template/index.ts";
import { accountDeps, billingNotifier } from "./accounts/index.ts";
import { createApp } from "./app.ts";
import { scheduleBackups } from "./backups/index.ts";
import { stripeClient } from "./billing/stripe-client.ts";
import { StripeEventProcessor } from "./billing/webhook.ts";
import type { Config } from "./config.ts";
import { lockDataDir, restrictDataDir } from "./data-dir-lock.ts";
import { connect, ensureDatabase, migrateDatabase, type Sql } from "./db/client.ts";
import { startEmbeddedPostgres } from "./db/embedded.ts";
import { tenants } from "./db/schema.ts";
import { createMailTransport, Mailer } from "./email/index.ts";
import { createLogger } from "./logging.ts";
import { createMetrics, gauge } from "./metrics.ts";
import { startProbes } from "./probes/index.ts";
import { Reconciler } from "./reconciler/index.ts";
import { OperationLog } from "./registry/operations.ts";
import { reservationSweep } from "./registry/reservation-sweep.ts";
import { loadSecrets } from "./secrets.ts";
import { audit, type Services } from "./services.ts";
import { siteToken, siteTokenSecret } from "./sites/index.ts";
import { computeKpis } from "./stats/index.ts";
import { supportEmail } from "./support.ts";
import { tenantApiToken } from "./tenant-access.ts";
import { startTracing } from "./tracing.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface RunningPlatform {
  url: string;
  port: number;
  adminToken: string;
  adminTokenGenerated: boolean;
  webhookSecret: string;
  webhookSecretGenerated: boolean;
  databaseUrl: string;
  embeddedDatabase: boolean;
  /** One line each for what start arranged on this machine (relocations, reused or stopped leftovers). */
  notes: string[];
  stop(): Promise<void>;
}

/** Starts everything in order: secrets, Postgres, migrations, driver, HTTP, queue; `stop` undoes it in reverse. */
export async function startPlatform(config: Config): Promise<RunningPlatform> {
  const logger = createLogger(config.LOG_LEVEL);
  const dataDir = resolve(config.WEBSPLAT_DATA_DIR);
  const releaseDataDir = await lockDataDir(dataDir);
  await restrictDataDir(dataDir);
  const notes: string[] = [];
  const secrets = await loadSecrets(dataDir, {
    adminToken: config.WEBSPLAT_ADMIN_TOKEN,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    ownerSigningKey: config.WEBSPLAT_OWNER_SIGNING_KEY?.replaceAll("\\n", "\n"),
  });
  const cleanup: Array<() => Promise<void>> = [releaseDataDir];
  const stopAll = async () => {
    for (const step of cleanup.reverse())
      await step().catch((error) => logger.error({ err: error }, "shutdown step failed"));
  };

  try {
    cleanup.push(await startTracing("websplat-control-plane", config.OTEL_EXPORTER_OTLP_ENDPOINT));
    let adminUrl = config.DATABASE_URL;
    if (!adminUrl) {
      const embedded = await startEmbeddedPostgres({
        dir: resolve(dataDir, "postgres"),
        password: secrets.postgresPassword,
      });
      notes.push(...embedded.notes);
      cleanup.push(() => embedded.stop());
      adminUrl = await ensureDatabase(embedded.url, "websplat");
    }
    const database = connect(adminUrl, { max: 30 });
    cleanup.push(() => database.close());
    await migrateDatabase(database);

    const metrics = createMetrics();
    metrics.kpis.setSource(() => computeKpis(database.sql, new Date(Date.now() - 30 * 86_400_000)));
    const driver = await createDriver(config, {
      sql: database.sql,
      databaseName: database.name,
      databaseHost: database.url.hostname,
      databasePort: Number(database.url.port || 5432),
      dataDir,
      secret: secrets.platformSecret,
      idleSeconds: config.WEBSPLAT_IDLE_SECONDS,
      isBusy: (slug) => runtimeReportsBusy(driver, slug),
      // Runtimes start once the server listens, so the port is known by then.
      runtimeSecrets: (slug) => ({
        WEBSPLAT_PLATFORM_URL: `http://127.0.0.1:${port}`,
        WEBSPLAT_SITES_TOKEN: siteToken(siteTokenSecret(secrets.ownerPrivateKey), slug),
      }),
      // The tenant API (feedback, own uptime): loopback URL and a credential naming only this tenant.
      platformEnv: (slug) => ({
        WEBSPLAT_PLATFORM_URL: `http://127.0.0.1:${port}`,
        WEBSPLAT_PLATFORM_TOKEN: tenantApiToken(secrets.ownerPrivateKey, slug),
        WEBSPLAT_SUPPORT_EMAIL: supportEmail(),
        ...(config.OTEL_EXPORTER_OTLP_ENDPOINT
          ? { OTEL_EXPORTER_OTLP_ENDPOINT: config.OTEL_EXPORTER_OTLP_ENDPOINT }
          : {}),
      }),
      onRuntimeEvent: (slug, event, detail) => {
        if (event === "crashed") {
          const cause = detail?.startsWith("exit ") ? "exit" : "start_failed";
          metrics.runtimeRestarts.inc({ driver: "local", cause });
        }
        logger[event === "crashed" ? "warn" : "info"](
          { tenant: slug, runtime: event, detail },
          `runtime ${event}`,
        );
      },
    });
    cleanup.push(() => driver.stop());

    const stripe = config.STRIPE_SECRET_KEY ? stripeClient(config.STRIPE_SECRET_KEY) : null;
    const verifier = stripe ?? stripeClient(undefined);
    const operations = new OperationLog(database.db);
    const shutdown = new AbortController();
    const platform: PlatformInput = {
      baseDomain: config.WEBSPLAT_BASE_DOMAIN,
      scheme: config.publicUrl.startsWith("https:") ? "https" : "http",
      publicPort: undefined,
      runtimeImage: process.env.WEBSPLAT_RUNTIME_IMAGE ?? "websplat/agent-runtime:local",
      ingressNamespace: process.env.WEBSPLAT_INGRESS_NAMESPACE ?? "ingress-nginx",
      ingressClassName: process.env.WEBSPLAT_INGRESS_CLASS ?? "nginx",
      ingressHostname: process.env.WEBSPLAT_INGRESS_HOSTNAME ?? "localhost",
      postgres: {
        host: process.env.WEBSPLAT_TENANT_DB_HOST ?? database.url.hostname,
        port: Number(database.url.port || 5432),
        database: database.name,
        cidr: process.env.WEBSPLAT_TENANT_DB_CIDR,
      },
      ownerPublicKey: secrets.ownerPublicKey,
      model: { baseUrl: config.OPENAI_BASE_URL, model: config.OPENAI_MODEL },
    };
    const reconciler = new Reconciler({
      db: database.db,
      sql: database.sql,
      driver,
      operations,
      platform,
      shutdown: shutdown.signal,
      databaseUrl: adminUrl,
      workers: config.WEBSPLAT_WORKERS,
      retryLimit: config.WEBSPLAT_RECONCILE_RETRIES,
      logger,
      observe: (outcome, seconds) =>
        metrics.reconcileDuration.observe({ driver: driver.kind, outcome }, seconds),
    });
    let queueStarted = false;
    let port = config.PORT;
    const mailer = new Mailer({
      databaseUrl: adminUrl,
      logger,
      transport: createMailTransport({
        smtpUrl: config.SMTP_URL,
        from: config.emailFrom,
        outboxDir: resolve(dataDir, "outbox"),
      }),
    });
    let notify: ReturnType<typeof billingNotifier> | undefined;
    const events = new StripeEventProcessor({
      db: database.db,
      stripe,
      verifier,
      webhookSecret: secrets.webhookSecret,
      retentionDays: config.WEBSPLAT_RETENTION_DAYS,
      reconcile: (slug, reason) => reconciler.request(slug, reason),
      audit: (action, slug, details) => audit({ db: database.db, logger }, "stripe", action, slug, details),
      notify: (event, slug, outcome) => notify?.(event, slug, outcome) ?? Promise.resolve(),
      logger,
    });
    const services: Services = {
      config,
      db: database.db,
      sql: database.sql,
      logger,
      metrics,
      driver,
      operations,
      reconciler,
      events,
      platform,
      ownerPrivateKey: secrets.ownerPrivateKey,
      mailer,
      platformSecret: secrets.platformSecret,
      ready: async () => {
        const databaseUp = await database.sql`select 1`.then(() => true).catch(() => false);
        return { database: databaseUp, queue: queueStarted && databaseUp };
      },
    };
    gauge(metrics, "websplat_tenants", "Tenants by status and tier", ["status", "tier"], async (g) => {
      g.reset();
      const rows = await database.db
        .select({ status: tenants.status, tier: tenants.tier, n: dsql<number>`count(*)::int` })
        .from(tenants)
        .groupBy(tenants.status, tenants.tier);
      for (const row of rows) g.set({ status: row.status, tier: row.tier }, row.n);
    });
    const runtimes = driver.runtimes;
    if (runtimes) {
      gauge(
        metrics,
        "websplat_runtimes_crash_looping",
        "Tenant runtimes that exited 3 or more times in a row within the last 10 minutes",
        [],
        async (g) => g.set(runtimes.crashLooping(10 * 60_000)),
      );
    }
    gauge(metrics, "websplat_queue_depth", "Reconcile jobs waiting", [], async (g) => {
      g.set(queueStarted ? await reconciler.queue.depth() : 0);
    });

    const app = createApp({
      services,
      adminToken: secrets.adminToken,
      webhookSecret: secrets.webhookSecret,
      verifier,
      stripe,
      webhookUrl: () => `http://127.0.0.1:${port}/webhooks/stripe`,
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolveServer, reject) => {
      const instance = serve({ fetch: app.fetch, port: config.PORT, hostname: config.host }, () =>
        resolveServer(instance),
      );
      instance.once("error", reject);
    });
    port = (server.address() as AddressInfo).port;
    // With PORT=0 the public URL is known only now; tenant URLs carry the same port.
    const publicUrl = config.WEBSPLAT_PUBLIC_URL ? config.publicUrl : `http://localhost:${port}`;
    config.publicUrl = publicUrl;
    const publicPort = new URL(publicUrl).port;
    platform.publicPort = publicPort ? Number(publicPort) : undefined;
    cleanup.push(
      () =>
        new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          // Open streams (SSE, proxied runtimes) would hold the close forever.
          setTimeout(
            () => (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.(),
            2000,
          ).unref();
        }),
    );

    await driver.start();
    notes.push(...(driver.runtimes?.notes ?? []));
    cleanup.push(async () => {
      shutdown.abort();
      await events.drain();
    });
    await mailer.start();
    cleanup.push(() => mailer.stop());
    notify = billingNotifier(accountDeps(services));
    await reconciler.start();
    queueStarted = true;
    cleanup.push(() => reconciler.stop());
    cleanup.push(scheduleBackups(services));
    cleanup.push(reservationSweep(services));
    cleanup.push(await startProbes(services, () => `http://127.0.0.1:${port}`));
    await events.sweep(0);
    const sweeper = setInterval(() => void events.sweep().catch(() => {}), 5000);
    sweeper.unref();
    cleanup.push(async () => clearInterval(sweeper));
    logger.info({ url: publicUrl, driver: driver.kind }, "control plane ready");

    return {
      url: publicUrl,
      port,
      adminToken: secrets.adminToken,
      adminTokenGenerated: secrets.adminTokenGenerated,
      webhookSecret: secrets.webhookSecret,
      webhookSecretGenerated: secrets.webhookSecretGenerated,
      databaseUrl: adminUrl,
      embeddedDatabase: !config.DATABASE_URL,
      notes,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Whether a tenant's builder has a run in progress, as its runtime says on `/healthz?busy` (loopback): such a runtime
 * is not stopped for idleness even when no browser is connected. The runtime owns its tables; the platform
 * never reads them (a tenant's role could make any of them run its own code as the reader).
 */
async function runtimeReportsBusy(driver: StackDriver, slug: string): Promise<boolean> {
  const port = driver.runtimes?.route(slug) ?? null;
  if (!port) return false;
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz?busy`, {
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json()) as { busy?: unknown };
    return body.busy === true;
  } catch {
    // A runtime that cannot answer its health check has no work worth keeping it for.
    return false;
  }
}

async function createDriver(
  config: Config,
  local: Omit<ConstructorParameters<typeof LocalDriver>[0], "nodePath" | "runtimeEntry" | "modelApiKey">,
): Promise<StackDriver> {
  if (config.WEBSPLAT_DRIVER === "local") {
    return new LocalDriver({
      ...local,
      nodePath: process.execPath,
      runtimeEntry: config.WEBSPLAT_RUNTIME_ENTRY
        ? resolve(config.WEBSPLAT_RUNTIME_ENTRY)
        : resolve(ROOT, "agent-runtime/main.ts"),
      modelApiKey: config.OPENAI_API_KEY,
    });
  }
  const pulumi = await import("../stacks/pulumi/index.ts");
  const problems = pulumi.pulumiConfigProblems(process.env);
  if (problems.length > 0)
    throw new Error(`WEBSPLAT_DRIVER=pulumi needs more configuration: ${problems.join(" ")}`);
  const runtimeEnv = (slug: string) => ({
    ...local.runtimeSecrets?.(slug),
    ...local.platformEnv?.(slug),
    // Tenant pods reach the platform only at its public address: their egress is public HTTPS alone.
    WEBSPLAT_PLATFORM_URL: config.publicUrl,
  });
  return pulumi.createPulumiDriver({ ...pulumi.pulumiDriverOptionsFromEnv(process.env), runtimeEnv });
}
