import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createBuilderMetrics } from "../../agent-runtime/metrics.ts";
import { createMetrics } from "../../control-plane/metrics.ts";
import { alertRules, dashboardQueries, metricsIn } from "../support/monitoring.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/** Families the code defines: the two registries, and the gauges the control plane adds at start. */
async function definedFamilies(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const registry of [createMetrics().registry, createBuilderMetrics("unit").registry]) {
    for (const metric of registry.getMetricsAsArray()) names.add(metric.name);
  }
  const gauges = readFileSync(resolve(ROOT, "control-plane/start/gauges.ts"), "utf8");
  for (const match of gauges.matchAll(/gauge\(\s*metrics,\s*"(websplat_[a-z_]+)"/g)) names.add(match[1]!);
  return names;
}

/** GitHub's anchor of a Markdown heading. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/\s+/g, "-");

describe("alerting rules and dashboard", () => {
  const rules = alertRules();

  it("every alert has an expression, a duration, a severity, a summary and a runbook section that exists", () => {
    const runbook = readFileSync(resolve(ROOT, "docs/operations.md"), "utf8");
    const anchors = new Set([...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((m) => anchor(m[1]!)));
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^WebSplat[A-Za-z]+$/);
      expect(rule.expr.trim().length, rule.alert).toBeGreaterThan(0);
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(["page", "warning", "ticket"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toEqual(expect.any(String));
      const section = /^docs\/operations\.md#(.+)$/.exec(rule.annotations?.runbook ?? "")?.[1];
      expect(anchors.has(section ?? ""), `${rule.alert}: runbook ${rule.annotations?.runbook}`).toBe(true);
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it("the alerts cover error rate, failed reconciles, queue backlog, webhook signatures and crash loops", () => {
    const all = rules.map((r) => r.expr).join("\n");
    expect(all).toMatch(/websplat_http_request_duration_seconds_count\{status=~"5\.\."\}/);
    expect(all).toMatch(/websplat_reconcile_duration_seconds_count\{outcome="failed"\}/);
    expect(all).toMatch(/websplat_queue_depth/);
    expect(all).toMatch(/websplat_webhook_events_total\{outcome="bad_signature"\}/);
    expect(all).toMatch(/websplat_runtimes_crash_looping/);
  });

  it("every metric an alert or a dashboard panel reads is one the code exports", async () => {
    const defined = await definedFamilies();
    const reads = [
      ...rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
      ...dashboardQueries().map((q) => ({ where: `panel ${q.panel}`, expr: q.expr })),
    ];
    for (const { where, expr } of reads) {
      const metrics = metricsIn(expr);
      expect(metrics.length, where).toBeGreaterThan(0);
      for (const metric of metrics) expect(defined.has(metric), `${where} reads ${metric}`).toBe(true);
    }
  });

  it("the labels alerts filter on are labels of those metrics", () => {
    const labels = new Map<string, string[]>();
    for (const registry of [createMetrics().registry, createBuilderMetrics("unit").registry]) {
      for (const metric of registry.getMetricsAsArray()) {
        labels.set(metric.name, (metric as unknown as { labelNames: string[] }).labelNames);
      }
    }
    for (const { alert, expr } of rules) {
      for (const match of expr.matchAll(/\b(websplat_[a-z_]+)\{([^}]*)\}/g)) {
        const family = match[1]!.replace(/_(bucket|count|sum)$/, "");
        const known = labels.get(family);
        if (!known) continue; // gauges defined at start: covered by the scrape in the e2e test
        for (const [, label] of match[2]!.matchAll(/(\w+)\s*(=~|!=|!~|=)/g))
          expect(known, `${alert}: ${family} has no label ${label}`).toContain(label);
      }
    }
  });
});
