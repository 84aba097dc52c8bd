import { resolve } from "node:path";
import type { billingNotifier } from "./accounts/index.ts";
import { createApp } from "./app.ts";
import { stripeClient } from "./billing/stripe-client.ts";
import { StripeEventProcessor } from "./billing/webhook.ts";
import type { Config } from "./config.ts";
import { lockDataDir, restrictDataDir } from "./data-dir-lock.ts";
import { connect, ensureDatabase, migrateDatabase } from "./db/client.ts";
import { startEmbeddedPostgres } from "./db/embedded.ts";
import { createMailTransport, Mailer } from "./email/index.ts";
import { createLogger, logFormat } from "./logging.ts";
import { createMetrics } from "./metrics.ts";
import type { Services } from "./platform-services.ts";
import { Reconciler } from "./reconciler/index.ts";
import { audit } from "./registry/audit.ts";
import { OperationLog } from "./registry/operations.ts";
import { loadSecrets } from "./secrets.ts";
import { startBackground } from "./start/background.ts";
import { createDriver, noDriver } from "./start/driver.ts";
import { registerGauges } from "./start/gauges.ts";
import { listen } from "./start/listen.ts";
import { platformInput } from "./start/platform-input.ts";
import { computeKpis } from "./stats/index.ts";
import { useSupportEmail } from "./support.ts";
import { startTracing } from "./tracing.ts";

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

/**
 * Starts everything in order: secrets, the HTTP port, Postgres, migrations, driver, the app, then the background
 * work; `stop` undoes it in reverse.
 */
export async function startPlatform(loaded: Config): Promise<RunningPlatform> {
  const logger = createLogger(
    loaded.LOG_LEVEL,
    undefined,
    logFormat(loaded.LOG_FORMAT, process.stdout.isTTY),
  );
  useSupportEmail(loaded.WEBSPLAT_SUPPORT_EMAIL);
  const dataDir = resolve(loaded.WEBSPLAT_DATA_DIR);
  const releaseDataDir = await lockDataDir(dataDir);
  await restrictDataDir(dataDir);
  const notes: string[] = [];
  const secrets = await loadSecrets(dataDir, {
    adminToken: loaded.WEBSPLAT_ADMIN_TOKEN,
    webhookSecret: loaded.STRIPE_WEBHOOK_SECRET,
    ownerSigningKey: loaded.WEBSPLAT_OWNER_SIGNING_KEY?.replaceAll("\\n", "\n"),
    // The local driver derives tenants' database passwords from it: only production shares it between replicas.
    sharedPlatformSecret: loaded.WEBSPLAT_DRIVER === "pulumi",
  });
  const cleanup: Array<() => Promise<void>> = [releaseDataDir];
  const stopAll = async () => {
    for (const step of cleanup.reverse())
      await step().catch((error) => logger.error({ err: error }, "shutdown step failed"));
  };

  try {
    const listening = await listen(loaded);
    cleanup.push(() => listening.close());
    // With PORT=0 the public URL is known only once bound; links and tenant URLs carry that port.
    const config: Config = { ...loaded, publicUrl: listening.publicUrl };
    const selfUrl = `http://127.0.0.1:${listening.port}`;
    cleanup.push(await startTracing("websplat-control-plane", config.OTEL_EXPORTER_OTLP_ENDPOINT));
    let adminUrl = config.DATABASE_URL;
    if (!adminUrl) {
      const embedded = await startEmbeddedPostgres({
        dir: resolve(dataDir, "postgres"),
        password: secrets.postgresPassword,
        searchPath: config.machineEnv.PATH,
      });
      notes.push(...embedded.notes);
      cleanup.push(() => embedded.stop());
      adminUrl = await ensureDatabase(embedded.url, "websplat");
    }
    const sitesOnly = config.WEBSPLAT_ROLE === "sites";
    const database = connect(adminUrl, { max: sitesOnly ? 10 : 30 });
    cleanup.push(() => database.close());
    // The schema is the whole platform's (WEBSPLAT_ROLE=all); a sites process only reads and records forms.
    if (!sitesOnly) await migrateDatabase(database);

    const metrics = createMetrics();
    metrics.kpis.setSource(() => computeKpis(database.sql, new Date(Date.now() - 30 * 86_400_000)));
    const driver = sitesOnly
      ? noDriver(config.WEBSPLAT_DRIVER)
      : await createDriver({
          config,
          database,
          dataDir,
          secrets,
          port: listening.port,
          metrics,
          logger,
        });
    cleanup.push(() => driver.stop());

    const stripe = config.STRIPE_SECRET_KEY ? stripeClient(config.STRIPE_SECRET_KEY) : null;
    const verifier = stripe ?? stripeClient(undefined);
    const operations = new OperationLog(database.db);
    const shutdown = new AbortController();
    const platform = platformInput(config, database, secrets.ownerPublicKey, listening);
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
    const mailer = new Mailer({
      databaseUrl: adminUrl,
      logger,
      transport: createMailTransport({
        kind: config.emailTransport,
        smtpUrl: config.SMTP_URL,
        ses: config.AWS_REGION ? { region: config.AWS_REGION } : undefined,
        from: config.emailFrom,
        outboxDir: resolve(dataDir, "outbox"),
        logger,
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
        return { database: databaseUp, queue: sitesOnly ? null : queueStarted && databaseUp };
      },
    };
    if (!sitesOnly) registerGauges(services, () => queueStarted);

    listening.serve(
      createApp({
        services,
        adminToken: secrets.adminToken,
        webhookSecret: secrets.webhookSecret,
        verifier,
        stripe,
        webhookUrl: () => `${selfUrl}/webhooks/stripe`,
      }),
    );
    // Closed before what requests use stops (registered at bind too, so a failed start frees the port).
    cleanup.push(() => listening.close());
    // A sites process answers requests only: no reconciles, webhooks, email, backups, sweeps or probes.
    if (!sitesOnly)
      await startBackground(
        {
          services,
          selfUrl,
          shutdown,
          onNotifier: (notifier) => {
            notify = notifier;
          },
          onQueueStarted: () => {
            queueStarted = true;
          },
        },
        cleanup,
      );
    notes.push(...(driver.runtimes?.notes ?? []));
    logger.info(
      { url: config.publicUrl, driver: driver.kind, role: config.WEBSPLAT_ROLE },
      "control plane ready",
    );

    return {
      url: config.publicUrl,
      port: listening.port,
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
