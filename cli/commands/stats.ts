import { Command, InvalidArgumentError } from "commander";
import { type Context, type JsonOption, leaf } from "../command-kit.ts";
import { fields, print, printJson } from "../output.ts";

type PerTier<T> = { starter: T; pro: T; studio: T };

interface Stats {
  since: string;
  window: { since: string; until: string };
  signups: { started: number };
  checkouts: { completed: number; conversionRate: number | null };
  activeTenants: PerTier<number> & { total: number };
  mrrCents: number;
  cancellations: number;
  churnRate: number | null;
  reactivations: number;
  builder: PerTier<{ runs: number; tokens: number }>;
  provisioningSeconds: { count: number; p50: number | null; p90: number | null; p99: number | null };
}

function windowText(value: string): string {
  if (!/^\d{1,4}[mhd]$/.test(value))
    throw new InvalidArgumentError("--since must look like 30d, 12h or 90m.");
  return value;
}

/** `websplat stats`: the launch's business figures over a window (DESIGN §14). */
export function statsCommand(context: Context): Command {
  return leaf(
    new Command("stats")
      .description(
        "business KPIs: signups, checkouts and conversion, active tenants by tier, MRR, cancellations and churn, reactivations, builder runs and tokens, provisioning time",
      )
      .option("--since <window>", "how far back, e.g. 30d, 12h, 90m", windowText, "30d"),
    "websplat stats --since 7d",
  ).action(async (options: JsonOption & { since: string }) => {
    const client = await context.client();
    const stats = await client.get<Stats>(`/admin/stats?since=${encodeURIComponent(options.since)}`);
    if (options.json) return printJson(stats);
    const tiers = (f: (tier: keyof PerTier<unknown>) => string) =>
      (["starter", "pro", "studio"] as const).map((t) => `${t} ${f(t)}`).join(", ");
    print(
      fields([
        ["Window", `last ${stats.since} (since ${stats.window.since.slice(0, 16).replace("T", " ")} UTC)`],
        ["Signups started", String(stats.signups.started)],
        [
          "Checkouts completed",
          `${stats.checkouts.completed} (conversion ${ratio(stats.checkouts.conversionRate)})`,
        ],
        ["Active tenants", `${stats.activeTenants.total} (${tiers((t) => String(stats.activeTenants[t]))})`],
        ["MRR", `$${(stats.mrrCents / 100).toFixed(2)}`],
        ["Cancellations", `${stats.cancellations} (churn ${ratio(stats.churnRate)})`],
        ["Reactivations", String(stats.reactivations)],
        ["Builder runs", tiers((t) => String(stats.builder[t].runs))],
        ["Model tokens", tiers((t) => String(stats.builder[t].tokens))],
        [
          "Provisioning",
          stats.provisioningSeconds.count === 0
            ? "no tenant provisioned in the window"
            : `p50 ${seconds(stats.provisioningSeconds.p50)}, p90 ${seconds(stats.provisioningSeconds.p90)}, p99 ${seconds(stats.provisioningSeconds.p99)} over ${stats.provisioningSeconds.count} tenants`,
        ],
      ]),
    );
  });
}

function ratio(value: number | null): string {
  return value === null ? "n/a" : `${(value * 100).toFixed(1)} %`;
}

function seconds(value: number | null): string {
  return value === null ? "-" : `${value.toFixed(1)} s`;
}
