import type { Services } from "../platform-services.ts";
import { scheduleReservationSweep } from "./reservations.ts";

/** Purges lapsed unpaid reservations in the background: every 10 minutes, or faster with short holds. */
export function reservationSweep(services: Services): () => Promise<void> {
  const holdMs = services.config.WEBSPLAT_RESERVATION_HOURS * 3600_000;
  return scheduleReservationSweep(
    {
      db: services.db,
      onError: (error) => services.logger.error({ err: error }, "reservation sweep failed"),
      onPurged: (slugs) => services.logger.info({ slugs }, "lapsed reservations purged"),
    },
    Math.max(1000, Math.min(10 * 60_000, holdMs / 4)),
  );
}
