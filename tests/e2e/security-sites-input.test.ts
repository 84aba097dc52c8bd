import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { siteToken, siteTokenSecret } from "../../control-plane/sites/index.ts";
import { tenantApiToken } from "../../control-plane/tenant-access.ts";
import { TIERS } from "../../tenant-template/index.ts";
import { type RunningControlPlane, startControlPlane } from "../support/control-plane.ts";
import { seededRandom } from "../support/random.ts";
import { formPost, hostRequest } from "../support/sites.ts";

const sha = (bytes: string | Buffer) => createHash("sha256").update(bytes).digest("hex");
const projectOf = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`;

/**
 * Tenants seeded as active (slugs "si-"), publishing as their runtime does, with their site token: what they
 * publish, and what visitors send their sites, must never stall or fail the platform.
 */
describe("attack: tenant content and visitor input against the sites the platform serves", () => {
  let plane: RunningControlPlane;
  let key: string;
  let sql: postgres.Sql;
  const api = (slug: string, path: string, init: { method?: string; body?: string | Uint8Array } = {}) =>
    fetch(`${plane.url}/tenant-api/v1${path}`, {
      method: init.method ?? "GET",
      headers: {
        authorization: `Bearer ${siteToken(siteTokenSecret(key), slug)}`,
        "content-type": "application/json",
      },
      body: init.body as BodyInit | undefined,
    });
  const upload = (slug: string, bytes: Buffer) =>
    api(slug, `/blobs/${sha(bytes)}`, { method: "PUT", body: bytes });
  /** Uploads the files and publishes them as the project's next version; answers the public host. */
  const publish = async (slug: string, project: number, files: Record<string, string>) => {
    const hashes: Record<string, string> = {};
    for (const [path, text] of Object.entries(files)) {
      const bytes = Buffer.from(text);
      expect((await upload(slug, bytes)).status).toBe(201);
      hashes[path] = sha(bytes);
    }
    const response = await api(slug, `/projects/${projectOf(project)}/versions`, {
      method: "POST",
      body: JSON.stringify({ projectName: "Shop", checkpointId: `cp-${Date.now()}`, files: hashes }),
    });
    expect(response.status).toBe(201);
    return new URL((await response.json()).url).hostname;
  };
  const compressions = async () => {
    const text = await (await fetch(`${plane.url}/metrics`)).text();
    const read = (encoding: string) =>
      Number(
        new RegExp(`^websplat_site_compressions_total\\{encoding="${encoding}"\\} (\\d+)$`, "m").exec(
          text,
        )?.[1] ?? 0,
      );
    return { br: read("br"), gzip: read("gzip") };
  };

  beforeAll(async () => {
    plane = await startControlPlane({ env: { WEBSPLAT_PROBE_INTERVAL_SECONDS: "0" } });
    key = `${(await readFile(join(plane.dataDir, "owner-key.pem"), "utf8")).trim()}\n`;
    sql = postgres(plane.databaseUrl, { max: 1, onnotice: () => {} });
    for (const [slug, tier] of [
      ["si-big404", "pro"],
      ["si-forms", "pro"],
      ["si-json", "pro"],
      ["si-quota", "starter"],
    ])
      await sql`insert into control_plane.tenants (slug, email, tier, desired, status, source, observed_generation)
        values (${slug!}, ${`${slug}@example.com`}, ${tier!}, 'active', 'active', 'signup', 1)`;
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await plane?.stop();
    await plane?.cleanup();
  });

  it("a large 404.html is compressed once per version, not at every request, and /healthz keeps answering", async () => {
    const random = seededRandom(404);
    const words = ["harbour", "bakery", "opening", "menu", "lyon", "croissant", "coffee", "table", "terrace"];
    const page = (n: number) =>
      `<!doctype html><title>Lost ${n}</title><main>${Array.from(
        { length: 90_000 },
        () => words[Math.floor(random() * words.length)],
      ).join(" ")}</main>\n`;
    const host = await publish("si-big404", 1, { "index.html": "<h1>Home</h1>", "404.html": page(1) });
    const get = (path: string, encoding?: string) =>
      hostRequest(plane.port, host, path, { headers: encoding ? { "accept-encoding": encoding } : {} });
    const plain = (await get("/nowhere")).text();
    expect(plain).toContain("<title>Lost 1</title>");
    expect(plain.length).toBeGreaterThan(500_000);

    const before = await compressions();
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, (_, n) => get(`/missing-${n}`, "gzip, deflate, br")),
      ...Array.from({ length: 10 }, (_, n) => get(`/gone-${n}`, "gzip")),
      fetch(`${plane.url}/healthz`).then((r) => ({ status: r.status, healthz: true })),
    ]);
    for (const answer of answers) {
      if ("healthz" in answer) {
        expect(answer.status).toBe(200);
        continue;
      }
      expect(answer.status).toBe(404);
      const encoding = answer.headers["content-encoding"];
      expect(["br", "gzip"]).toContain(encoding);
      const body = encoding === "br" ? brotliDecompressSync(answer.body) : gunzipSync(answer.body);
      expect(body.toString("utf8")).toBe(plain);
    }
    // Thirty visitors, one compression per encoding.
    expect(await compressions()).toEqual({ br: before.br + 1, gzip: before.gzip + 1 });
    for (let n = 0; n < 5; n++) await get(`/again-${n}`, "br");
    expect((await compressions()).br).toBe(before.br + 1);

    // A new version with another 404 page is compressed once more.
    await publish("si-big404", 1, { "index.html": "<h1>Home</h1>", "404.html": page(2) });
    const next = await get("/missing", "br");
    expect(brotliDecompressSync(next.body).toString("utf8")).toContain("<title>Lost 2</title>");
    expect((await compressions()).br).toBe(before.br + 2);
  });

  it("forms are accepted only under the names the published pages post to; a NUL in a field is a 400", async () => {
    const host = await publish("si-forms", 2, {
      "index.html": '<form method="post" name="contact"><input name="email"><button>Send</button></form>',
    });
    const post = (form: string, fields: Record<string, string>) => {
      const request = formPost(fields, { accept: "application/json" });
      return hostRequest(plane.port, host, `/_forms/${form}`, request);
    };
    expect((await post("contact", { email: "ok@example.com" })).status).toBe(201);
    const invented = await post("invented", { email: "spam@example.com" });
    expect(invented.status).toBe(404);
    expect(invented.json().error.code).toBe("form_not_found");
    const nul = await post("contact", { email: "a\u0000b@example.com" });
    expect(nul.status).toBe(400);
    expect(nul.json().error.code).toBe("invalid_form");
    const named = await post("contact", { "e\u0000mail": "x@example.com" });
    expect(named.status).toBe(400);
    const queued = await (await api("si-forms", "/submissions")).json();
    expect(queued.submissions.map((s: { form: string; fields: object }) => [s.form, s.fields])).toEqual([
      ["contact", { email: "ok@example.com" }],
    ]);
  });

  it("a version published before pages recorded their forms still takes exactly its own forms", async () => {
    const host = await publish("si-forms", 5, {
      "index.html": '<form method="post" class="booking"><input name="date"></form>',
    });
    await sql`update control_plane.site_versions
      set files = jsonb_set(files, '{index.html}', (files->'index.html') - 'forms')
      where slug = 'si-forms' and files->'index.html' ? 'forms'`;
    const post = (form: string) =>
      hostRequest(
        plane.port,
        host,
        `/_forms/${form}`,
        formPost({ date: "2027-01-01" }, { accept: "application/json" }),
      );
    expect((await post("booking")).status).toBe(201);
    expect((await post("contact")).status).toBe(404);
  });

  it("JSON nested 5,000 deep is a 4xx wherever JSON is read", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const deepObject = `{"hashes":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const tenantApi = {
      authorization: `Bearer ${tenantApiToken(key, "si-json")}`,
      "x-websplat-tenant": "si-json",
      "content-type": "application/json",
    };
    const answers = [
      await api("si-json", "/blobs/missing", { method: "POST", body: deepObject }),
      await api("si-json", `/projects/${projectOf(3)}/versions`, { method: "POST", body: deep }),
      await fetch(`${plane.url}/api/tenant/runs`, { method: "POST", headers: tenantApi, body: deepObject }),
      await fetch(`${plane.url}/api/tenant/feedback`, { method: "POST", headers: tenantApi, body: deep }),
      await fetch(`${plane.url}/admin/tenants`, {
        method: "POST",
        headers: { authorization: `Bearer ${plane.adminToken}`, "content-type": "application/json" },
        body: `{"slug":"si-deep","email":"a@example.com","tier":${"[".repeat(5000)}${"]".repeat(5000)}}`,
      }),
      await fetch(`${plane.url}/api/signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{"slug":"si-deep","email":${deep},"tier":"pro"}`,
      }),
    ];
    for (const [n, answer] of answers.entries()) {
      expect(answer.status, `request ${n}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `request ${n}`).toBeLessThan(500);
    }
  });

  it("a NUL in a version's checkpoint id is a 400 that publishes nothing", async () => {
    const bytes = Buffer.from("<h1>Hi</h1>");
    expect((await upload("si-json", bytes)).status).toBe(201);
    const nul = await api("si-json", `/projects/${projectOf(3)}/versions`, {
      method: "POST",
      body: JSON.stringify({
        projectName: "Shop",
        checkpointId: "cp\u00001",
        files: { "index.html": sha(bytes) },
      }),
    });
    expect(nul.status).toBe(400);
    expect((await nul.json()).error.code).toBe("invalid_text");
    const [{ n }] = await sql<[{ n: number }]>`
      select count(*)::int as n from control_plane.site_versions where slug = 'si-json'`;
    expect(n).toBe(0);
  });

  it("published files are held to the plan's quota, and uploads no version uses are collected", async () => {
    const quota = TIERS.starter.publishedBytes;
    // An upload never published, two days old, as large as the whole quota.
    const stale = Buffer.from("never published");
    expect((await upload("si-quota", stale)).status).toBe(201);
    await sql`update control_plane.site_blobs set bytes = ${quota}, touched_at = now() - interval '2 days'
      where slug = 'si-quota' and hash = ${sha(stale)}`;
    // The next upload makes room by collecting it.
    const host = await publish("si-quota", 4, { "index.html": "<h1>Kept</h1>" });
    const missing = await (
      await api("si-quota", "/blobs/missing", {
        method: "POST",
        body: JSON.stringify({ hashes: [sha(stale)] }),
      })
    ).json();
    expect(missing.missing).toEqual([sha(stale)]);
    // Now what the live version uses is, as far as the quota knows, the whole quota: nothing else fits.
    await sql`update control_plane.site_blobs set bytes = ${quota} where slug = 'si-quota' and hash = ${sha("<h1>Kept</h1>")}`;
    const refused = await upload("si-quota", Buffer.from("one more file"));
    expect(refused.status).toBe(413);
    const { error } = await refused.json();
    expect(error.code).toBe("storage_quota_exceeded");
    expect(error.message).toMatch(/starter plan stores 100 MiB of published files/);
    // What a version refers to is never collected: the site still serves.
    const page = await hostRequest(plane.port, host, "/");
    expect(page.status).toBe(200);
    expect(page.text()).toContain("Kept");
  });
});
