import { accountDeps, billingNotifier } from "../accounts/index.ts";
import { scheduleBackups } from "../backups/index.ts";
import type { Services } from "../platform-services.ts";
import { startProbes } from "../probes/index.ts";
import { checkTenantSweep } from "../registry/check-sweep.ts";
import { reservationSweep } from "../registry/reservation-sweep.ts";
import { blobCollection, siteStore } from "../sites/index.ts";

export interface Background {
  services: Services;
  /** Where the control plane reaches itself (its probes). */
  selfUrl: string;
  /** Aborted first on stop: webhooks in flight finish, no new work is taken. */
  shutdown: AbortController;
  /** Billing emails: wired once the mailer runs. */
  onNotifier(notify: ReturnType<typeof billingNotifier>): void;
  /** Called once the reconcile queue runs (readiness, queue depth). */
  onQueueStarted(): void;
}

/**
 * Everything that runs besides requests, in order: the driver re-attaches its runtimes, then email, the reconcile
 * queue, backups, sweeps and probes. Each step's undo is pushed onto `cleanup` as soon as it started.
 */
export async function startBackground(
  background: Background,
  cleanup: Array<() => Promise<void>>,
): Promise<void> {
  const { services, shutdown } = background;
  const { driver, events, mailer, reconciler, logger } = services;
  await driver.start();
  cleanup.push(async () => {
    shutdown.abort();
    await events.drain();
  });
  await mailer.start();
  cleanup.push(() => mailer.stop());
  background.onNotifier(billingNotifier(accountDeps(services)));
  await reconciler.start();
  background.onQueueStarted();
  cleanup.push(() => reconciler.stop());
  cleanup.push(scheduleBackups(services));
  cleanup.push(reservationSweep(services));
  cleanup.push(
    blobCollection(services.db, siteStore(services.config, services.config.WEBSPLAT_DATA_DIR), logger),
  );
  cleanup.push(checkTenantSweep(services));
  cleanup.push(await startProbes(services, () => background.selfUrl));
  await events.sweep(0);
  // Stripe events whose processing was cut short are picked up again; a failing round is logged and retried.
  const sweeper = setInterval(
    () =>
      void events
        .sweep()
        .catch((error) => logger.error({ err: error }, "stripe event sweep failed; retrying in 5 s")),
    5000,
  );
  sweeper.unref();
  cleanup.push(async () => clearInterval(sweeper));
}
