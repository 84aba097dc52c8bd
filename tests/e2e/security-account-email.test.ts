import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tenantApiToken } from "../../control-plane/tenant-access.ts";
import { useControlPlane } from "../support/control-plane.ts";
import { readOutbox } from "../support/outbox.ts";
import { waitFor } from "../support/wait.ts";

/**
 * Attack: a tenant's runtime (or whoever holds its credential) uses the owner email change to send the
 * platform's mail to any address, as often as it likes. Slugs start with "aem-".
 */
const plane = useControlPlane();
let ownerKey: string;
const slugs = ["aem-flood", "aem-second", "aem-third", "aem-fourth"];

beforeAll(async () => {
  ownerKey = `${(await readFile(join(plane().dataDir, "owner-key.pem"), "utf8")).trim()}\n`;
  for (const slug of slugs) {
    const created = await fetch(`${plane().url}/admin/tenants`, {
      method: "POST",
      headers: { authorization: `Bearer ${plane().adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ slug, email: `owner@${slug}.test`, tier: "starter" }),
    });
    expect(created.status).toBe(201);
  }
}, 60_000);

const askChange = (slug: string, email: string) =>
  fetch(`${plane().url}/api/account/email`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${tenantApiToken(ownerKey, slug)}`,
      "x-websplat-tenant": slug,
      "content-type": "application/json",
    },
    body: JSON.stringify({ email }),
  });

describe("the owner email change cannot be used to send mail at large", () => {
  it("one tenant gets a few changes an hour; beyond, a 429 that says when, and no mail is queued", async () => {
    const statuses: number[] = [];
    for (let n = 1; n <= 8; n++) statuses.push((await askChange("aem-flood", `target${n}@spam.test`)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
    const refused = await askChange("aem-flood", "target9@spam.test");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toMatch(/try again in/);
    const sent = await waitFor(
      async () => {
        const mail = (await readOutbox(plane().dataDir)).filter((m) => m.to.includes("@spam.test"));
        return mail.length >= 5 ? mail : null;
      },
      { what: "the five accepted confirmations", timeoutMs: 20_000 },
    );
    expect(sent.map((m) => m.to).sort()).toEqual([1, 2, 3, 4, 5].map((n) => `target${n}@spam.test`));
  });

  it("one address gets a few such emails, however many tenants ask", async () => {
    const statuses: number[] = [];
    for (const slug of ["aem-second", "aem-third", "aem-fourth", "aem-second"])
      statuses.push((await askChange(slug, "Victim@Inbox.test")).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    // The per-address budget is its own: the same tenants may still ask for another address.
    expect((await askChange("aem-third", "someone-else@inbox.test")).status).toBe(202);
  });
});
