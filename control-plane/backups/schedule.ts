import { TIERS } from "../../tenant-template/index.ts";
import type { Services } from "../platform-services.ts";
import { audit } from "../registry/audit.ts";
import { BackupError } from "./errors.ts";
import { backupDeps, backupTenant, listBackups, pruneBackups } from "./tenant-backups.ts";

/** Lock namespace of "a backup round is running" (one control plane at a time takes the daily backups). */
const BACKUP_ROUND_LOCK = 7_246_173;
const DAY_MS = 86_400_000;

/**
 * One round: a backup of every active tenant whose newest one is a day old (or missing), then every tenant's
 * backups pruned to its tier's retention. Safe to run any number of times and from several control planes.
 */
export async function backupRound(
  services: Services,
  now = new Date(),
): Promise<{ taken: string[]; pruned: number }> {
  const lock = await services.sql.reserve();
  const taken: string[] = [];
  let pruned = 0;
  try {
    const [row] = await lock`select pg_try_advisory_lock(${BACKUP_ROUND_LOCK}) as locked`;
    if (!row?.locked) return { taken, pruned };
    try {
      const deps = backupDeps(services);
      const { store } = deps;
      const tenants = await services.sql<{ slug: string; tier: keyof typeof TIERS; status: string }[]>`
        select slug, tier, status from control_plane.tenants where status in ('active', 'suspended') order by slug`;
      for (const tenant of tenants) {
        try {
          const [newest] = await listBackups(store, tenant.slug);
          const due = !newest || now.getTime() - new Date(newest.createdAt).getTime() >= DAY_MS;
          if (tenant.status === "active" && due) {
            const backup = await backupTenant(deps, tenant.slug);
            await audit(services, "scheduler", "backup.create", tenant.slug, { backupId: backup.id });
            taken.push(tenant.slug);
          }
          const deleted = await pruneBackups(store, tenant.slug, TIERS[tenant.tier].backupRetentionDays, now);
          if (deleted.length > 0)
            await audit(services, "scheduler", "backup.prune", tenant.slug, { deleted });
          pruned += deleted.length;
        } catch (error) {
          // A tenant whose own database changes stand in the way is its owner's to fix; the round goes on.
          if (error instanceof BackupError)
            services.logger.warn(
              { tenant: tenant.slug, code: error.code, reason: error.message },
              "scheduled backup refused",
            );
          else services.logger.error({ err: error, tenant: tenant.slug }, "scheduled backup failed");
        }
      }
    } finally {
      await lock`select pg_advisory_unlock(${BACKUP_ROUND_LOCK})`;
    }
  } finally {
    lock.release();
  }
  return { taken, pruned };
}

/** Runs a backup round shortly after start and then every `everyMs` (hourly); returns the stop function. */
export function scheduleBackups(services: Services, everyMs = 3_600_000): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const round = () => {
    running = backupRound(services).catch((error) =>
      services.logger.error({ err: error }, "backup round failed"),
    );
  };
  const first = setTimeout(round, 60_000);
  const timer = setInterval(round, everyMs);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
