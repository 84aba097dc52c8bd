import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { drizzle } from "drizzle-orm/postgres-js";
import pino from "pino";
import postgres from "postgres";
import { describe, expect, test } from "vitest";
import { createApp } from "../../control-plane/app.ts";
import { generateOwnerKeyPair } from "../../control-plane/auth/owner-token.ts";
import { stripeClient } from "../../control-plane/billing/stripe-client.ts";
import { CONFIG_VARIABLES, loadConfig } from "../../control-plane/config.ts";
import { createMetrics } from "../../control-plane/metrics.ts";
import type { Services } from "../../control-plane/platform-services.ts";
import { OperationLog } from "../../control-plane/registry/operations.ts";

const ROOT = new URL("../../", import.meta.url);

/** Every route the control plane's app mounts, built as start builds it (nothing is connected or started). */
function mountedRoutes(): string[] {
  const config = loadConfig({});
  // A client that would connect on its first query; building the app runs none.
  const sql = postgres("postgres://websplat@127.0.0.1:1/websplat", { max: 1 });
  const db = drizzle(sql);
  const services = {
    config,
    sql,
    db,
    operations: new OperationLog(db as never),
    logger: pino({ level: "silent" }),
    metrics: createMetrics(),
    ownerPrivateKey: generateOwnerKeyPair().privateKeyPem,
    platformSecret: "parity",
    platform: { baseDomain: "localhost", scheme: "http", publicPort: 8080 },
  } as unknown as Services;
  const app = createApp({
    services,
    adminToken: "parity-admin-token-of-24-characters",
    webhookSecret: "whsec_parity",
    verifier: stripeClient(undefined),
    stripe: null,
    webhookUrl: () => "http://127.0.0.1:8080/webhooks/stripe",
  });
  return app.routes.map((route) => route.path);
}

/** A route family: `/api/<x>` and `/admin/<x>` by their first two segments, anything else by its first. */
function family(path: string): string | null {
  if (path === "/") return "/";
  const segments = path.split("/").filter(Boolean);
  const first = segments[0] ?? "";
  if (first === "*") return null;
  if ((first === "api" || first === "admin") && segments[1] && segments[1] !== "*")
    return `/${first}/${segments[1]}`;
  return `/${first}`;
}

const parity = await readFile(new URL("docs/parity.md", ROOT), "utf8");
const capabilityRows = parity
  .slice(parity.indexOf("## Capabilities"), parity.indexOf("## Configuration"))
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| Capability") && !line.startsWith("|---"));

describe("docs/parity.md keeps up with the product", () => {
  test("every route family the control plane mounts has a row that names it", () => {
    const families = [...new Set(mountedRoutes().map(family))].filter(
      (name): name is string => name !== null,
    );
    expect(families.length).toBeGreaterThan(20);
    const table = capabilityRows.join("\n");
    const unnamed = families.filter((name) => !table.includes(name === "/" ? "`GET /`" : `\`${name}`));
    expect(unnamed).toEqual([]);
  });

  test("every variable the control plane reads is named in it", () => {
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(50);
    expect(CONFIG_VARIABLES.filter((name) => !parity.includes(`\`${name}\``))).toEqual([]);
  });

  test("every row says how it works on one machine and in production, and its test exists or says missing", () => {
    expect(capabilityRows.length).toBeGreaterThanOrEqual(18);
    for (const row of capabilityRows) {
      const cells = row
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim());
      expect(cells, row).toHaveLength(4);
      const [, local, production, proof = ""] = cells;
      expect(local, row).not.toBe("");
      expect(production, row).not.toBe("");
      const cited = [...proof.matchAll(/`(tests\/[^`]+\.test\.ts)`/g)].map((match) => match[1] ?? "");
      expect(cited.length > 0 || proof.includes("`missing`"), row).toBe(true);
      for (const file of cited) expect(existsSync(new URL(file, ROOT)), file).toBe(true);
    }
    for (const capability of [
      "Signup",
      "Checkout",
      "Provisioning",
      "Tenant URL",
      "Published sites",
      "Custom domains",
      "Forms",
      "Sign-in email",
      "Billing portal",
      "Backups and restore",
      "Erasure",
      "Scale to zero",
      "Rate limits",
      "Traces",
      "Metrics",
      "Alerts",
      "Uptime probes",
      "Status page",
    ])
      expect(
        capabilityRows.some((row) => row.startsWith(`| ${capability}`)),
        capability,
      ).toBe(true);
  });
});
