import { readFile } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenantApiToken } from "../../control-plane/tenant-access.ts";
import { json, websplat } from "../support/cli.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";

/** Escape sequences a tenant can put in its own text: a title change, a hyperlink, a screen clear, colours. */
const HOSTILE =
  "Thanks\u001b]0;owned\u0007 for \u001b]8;;https://evil.example\u0007this link\u001b]8;;\u0007\u001b[2J\u001b[31m!\rFAKE\u009b1m\u202eevil\nacme  yes  forged row";

describe("attack: a tenant's text drives the operator's terminal through the CLI", () => {
  let plane: RunningControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_PROBE_INTERVAL_SECONDS: "0" } });
    const key = `${(await readFile(join(plane.dataDir, "owner-key.pem"), "utf8")).trim()}\n`;
    const sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await sql`insert into control_plane.tenants (slug, email, tier, desired, status, source, observed_generation)
        values ('ct-mallory', 'mallory@example.com', 'pro', 'active', 'active', 'signup', 1)`;
    } finally {
      await sql.end();
    }
    const sent = await fetch(`${plane.url}/api/tenant/feedback`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${tenantApiToken(key, "ct-mallory")}`,
        "x-websplat-tenant": "ct-mallory",
      },
      body: JSON.stringify({ message: HOSTILE, mayContact: false }),
    });
    expect(sent.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await plane?.stop();
    await plane?.cleanup();
  });

  it("tables show the text without any control character, on one line per row", async () => {
    const result = await websplat(["feedback", "list"], { url: plane.url, adminToken: plane.adminToken });
    expect(result.code, result.stderr).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("ct-mallory");
    expect(lines[1]).toContain(
      "Thanks]0;owned for ]8;;https://evil.examplethis link]8;;[2J[31m!FAKE1mevil acme",
    );
  });

  it("--json output holds no raw control character either", async () => {
    const result = await websplat(["feedback", "list", "--json"], {
      url: plane.url,
      adminToken: plane.adminToken,
    });
    expect(result.code, result.stderr).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(json(result).entries[0].message).toContain("Thanks");
  });
});
