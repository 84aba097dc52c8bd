import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";

const ROOT = resolve(import.meta.dirname, "../..");

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Every alerting rule of infra/monitoring/alerts.yaml. */
export function alertRules(): AlertRule[] {
  const file = parse(readFileSync(resolve(ROOT, "infra/monitoring/alerts.yaml"), "utf8")) as {
    groups: Array<{ name: string; rules: AlertRule[] }>;
  };
  return file.groups.flatMap((group) => group.rules);
}

/** Every PromQL expression of the Grafana dashboard, with its panel's title. */
export function dashboardQueries(): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(resolve(ROOT, "infra/monitoring/dashboard.json"), "utf8")) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };
  return dashboard.panels.flatMap((panel) =>
    panel.targets.map((t) => ({ panel: panel.title, expr: t.expr })),
  );
}

/** The metric families an expression reads (histogram series `_bucket`/`_count`/`_sum` name their family). */
export function metricsIn(expr: string): string[] {
  return [
    ...new Set(
      [...expr.matchAll(/\bwebsplat_[a-z_]+\b/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, "")),
    ),
  ];
}

/** Metric families in a Prometheus exposition (the `# TYPE` lines). */
export function exposedFamilies(exposition: string): Set<string> {
  return new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}
