import { afterAll, beforeAll, expect, it } from "vitest";
import { connect, type DatabaseHandle, migrateDatabase } from "../../control-plane/db/client.ts";
import { dnsChecker } from "../../control-plane/sites/dns.ts";
import { addDomain, checkDomain, findDomain } from "../../control-plane/sites/domains.ts";
import { createTestDatabase } from "../support/db.ts";
import { type LoopbackDns, startLoopbackDns } from "../support/sites.ts";

/** Two tenants claim one hostname whose TXT record holds both their tokens: only one can hold it. */
let database: DatabaseHandle;
let dns: LoopbackDns;

beforeAll(async () => {
  database = connect(await createTestDatabase("domain_claims"), { max: 5 });
  await migrateDatabase(database);
  dns = await startLoopbackDns();
});

afterAll(async () => {
  await database?.sql.end();
  await dns?.close();
});

it("when both claims' tokens are published, the first proof holds the hostname and the other is told why it failed", async () => {
  const { db } = database;
  const hostname = "www.contested.test";
  const first = await addDomain(db, { slug: "dc-first", tier: "pro" }, "shop", hostname);
  const second = await addDomain(db, { slug: "dc-second", tier: "pro" }, "shop", hostname);
  dns.setTxt(`_websplat.${hostname}`, [first.token, second.token]);
  dns.setCname(hostname, "cname.sites.localhost");
  const options = { lookup: dnsChecker(dns.address), target: "cname.sites.localhost", routed: true };

  const [a, b] = await Promise.all([checkDomain(db, first, options), checkDomain(db, second, options)]);
  const results = [a, b].sort((x, y) => x.status.localeCompare(y.status));
  expect(results.map((r) => r.status)).toEqual(["active", "failed"]);
  expect(results[1]!.reason).toContain("Another WebSplat proved it owns www.contested.test first");
  const held = await findDomain(db, hostname);
  expect(held?.slug).toBe(results[0]!.slug);
  expect(held?.verifiedAt).not.toBeNull();

  // Checked again, the loser still cannot take it.
  const loser = results[1]!;
  expect((await checkDomain(db, loser, options)).status).toBe("failed");
  expect((await findDomain(db, hostname))?.slug).toBe(results[0]!.slug);
});
