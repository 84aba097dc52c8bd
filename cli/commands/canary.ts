import type { AdminClient } from "../admin-client.ts";
import type { Operation, Tenant } from "../api-types.ts";

/** The waves of a canary update: the checks' own tenants, then a small share of customers, then the rest. */
export function canaryWaves(
  tenants: Tenant[],
  sharePercent: number,
): Array<{ name: string; slugs: string[] }> {
  const checks = tenants.filter((t) => t.check).map((t) => t.slug);
  const customers = tenants.filter((t) => !t.check).map((t) => t.slug);
  const sampleSize =
    customers.length === 0 ? 0 : Math.max(1, Math.ceil((customers.length * sharePercent) / 100));
  // Spread the sample over the list (newest first) rather than taking the newest customers only.
  const step = customers.length / Math.max(sampleSize, 1);
  const sample = Array.from({ length: sampleSize }, (_, i) => customers[Math.floor(i * step)]!);
  const rest = customers.filter((slug) => !sample.includes(slug));
  return [
    { name: "check tenants", slugs: checks },
    { name: `canary (${sharePercent} % of customers)`, slugs: sample },
    { name: "everyone else", slugs: rest },
  ].filter((wave) => wave.slugs.length > 0);
}

export interface CanaryDeps {
  /** Starts one tenant's update and follows it to its end. */
  update(slug: string): Promise<Operation>;
  /** Tenants whose probes alert now (their error rate is too high). */
  alerting(): Promise<string[]>;
}

export interface CanaryResult {
  updated: Array<{ slug: string; operation: Operation }>;
  /** Why the rollout stopped early, or null when every wave went out. */
  halted: { wave: string; reason: string } | null;
}

/**
 * Updates wave after wave, each tenant in turn; stops at the first failed update, and before the next wave
 * when a tenant already updated alerts in its probes. A halted rollout leaves the rest on what they ran.
 */
export async function canaryRollout(
  waves: Array<{ name: string; slugs: string[] }>,
  deps: CanaryDeps,
): Promise<CanaryResult> {
  const updated: CanaryResult["updated"] = [];
  for (const [index, wave] of waves.entries()) {
    for (const slug of wave.slugs) {
      const operation = await deps.update(slug);
      updated.push({ slug, operation });
      if (operation.status !== "succeeded")
        return {
          updated,
          halted: {
            wave: wave.name,
            reason: `${slug}'s update ${operation.status}${operation.error ? `: ${operation.error.message}` : ""}`,
          },
        };
    }
    if (index === waves.length - 1) break;
    const done = new Set(updated.map((each) => each.slug));
    const failing = (await deps.alerting()).filter((slug) => done.has(slug));
    if (failing.length > 0)
      return {
        updated,
        halted: { wave: wave.name, reason: `probes alert for ${failing.join(", ")} after their update` },
      };
  }
  return { updated, halted: null };
}

export async function alertingTenants(client: AdminClient): Promise<string[]> {
  const probes = await client.get<{ targets: Array<{ target: string }> }>(
    "/admin/probes?kind=tenant&alerting=true",
  );
  return probes.targets.map((t) => t.target);
}
