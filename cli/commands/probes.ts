import { Command } from "commander";
import { type Context, type JsonOption, leaf } from "../command-kit.ts";
import { print, printJson, table, when } from "../output.ts";

interface ProbeTarget {
  kind: string;
  target: string;
  state: "up" | "down" | "idle";
  consecutiveFailures: number;
  alerting: boolean;
  since: string;
  lastCheckedAt: string;
  lastLatencyMs: number | null;
  lastError: string | null;
}

interface Incident {
  id: number;
  kind: string;
  target: string;
  startedAt: string;
  resolvedAt: string | null;
  error: string | null;
}

/** `websplat probes`: synthetic probe states, firing alerts and recent incidents. */
export function probesCommand(context: Context): Command {
  return leaf(
    new Command("probes")
      .description(
        "what the synthetic probes see: each tenant and component, alerts firing, incidents of 7 days",
      )
      .option("--alerting", "only targets whose alert is firing")
      .option("--kind <kind>", "tenant, component or site"),
    "websplat probes --alerting",
  ).action(async (options: JsonOption & { alerting?: boolean; kind?: string }) => {
    const client = await context.client();
    const query = new URLSearchParams();
    if (options.alerting) query.set("alerting", "true");
    if (options.kind) query.set("kind", options.kind);
    const data = await client.get<{ targets: ProbeTarget[]; incidents: Incident[] }>(
      `/admin/probes?${query}`,
    );
    if (options.json) return printJson(data);
    if (data.targets.length === 0) print("No probe results yet.");
    else
      print(
        table(
          ["KIND", "TARGET", "STATE", "ALERT", "FAILS", "SINCE", "LATENCY", "ERROR"],
          data.targets.map((t) => [
            t.kind,
            t.target,
            t.state,
            t.alerting ? "FIRING" : "-",
            String(t.consecutiveFailures),
            when(t.since),
            t.lastLatencyMs === null ? "-" : `${t.lastLatencyMs} ms`,
            t.lastError ?? "",
          ]),
        ),
      );
    const open = data.incidents.filter((i) => !i.resolvedAt);
    if (open.length > 0)
      print(`\n${open.length} open incident(s): ${open.map((i) => `${i.kind} ${i.target}`).join(", ")}`);
  });
}
