import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, copyFile, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../../control-plane/db/embedded.ts";

/**
 * RDS in production: TLS whose chain ends at a CA that is not in Node's store (the RDS CA). Here a
 * real PostgreSQL serves a certificate from a private CA; the images trust the RDS bundle the same
 * way, through NODE_EXTRA_CA_CERTS, and the platform connects with sslmode=verify-full.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
let dir: string;
let server: EmbeddedDatabase;
let password: string;
let caFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "websplat-tls-pg-"));
  // The server runs as an unprivileged user when we are root: it must reach its data dir.
  await chmod(dir, 0o755);
  password = randomBytes(12).toString("hex");
  server = await startEmbeddedPostgres({ dir: join(dir, "data"), password });
  const openssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  await openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=websplat-test-ca",
  );
  await openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  );
  await writeFile(join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  await openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  );
  caFile = join(dir, "ca.pem");
  // The server reads its key only if it owns it and nobody else may.
  const owner = await stat(join(dir, "data", "PG_VERSION"));
  for (const file of ["server.crt", "server.key"]) {
    const target = join(dir, "data", file);
    await copyFile(join(dir, file), target);
    await chown(target, owner.uid, owner.gid);
    await chmod(target, 0o600);
  }
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`ALTER SYSTEM SET ssl_cert_file = '${join(dir, "data", "server.crt")}'`);
    await admin.unsafe(`ALTER SYSTEM SET ssl_key_file = '${join(dir, "data", "server.key")}'`);
    await admin.unsafe("ALTER SYSTEM SET ssl = on");
    await admin.unsafe("SELECT pg_reload_conf()");
  } finally {
    await admin.end();
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Connects with node-postgres (pg-boss's driver) and postgres.js in a fresh Node, as the image starts it. */
async function connectBoth(env: Record<string, string>): Promise<{ pg: string; postgresJs: string }> {
  const url = new URL(server.url);
  url.hostname = "localhost";
  url.searchParams.set("sslmode", "verify-full");
  const script = `
    const pg = require("pg");
    const postgres = require("postgres");
    const url = process.argv[1];
    const sql = "select ssl::text as ssl from pg_stat_ssl where pid = pg_backend_pid()";
    const viaPg = async () => { const c = new pg.Client({ connectionString: url }); await c.connect(); try { return "ssl=" + (await c.query(sql)).rows[0].ssl; } finally { await c.end(); } };
    const viaPostgresJs = async () => { const s = postgres(url, { max: 1, onnotice: () => {} }); try { return "ssl=" + (await s.unsafe(sql))[0].ssl; } finally { await s.end(); } };
    const settle = (p) => p.then((v) => v, (e) => "error: " + (e.code || "") + " " + e.message);
    Promise.all([settle(viaPg()), settle(viaPostgresJs())]).then(([pg, postgresJs]) => console.log(JSON.stringify({ pg, postgresJs })));
  `;
  const { stdout } = await run(process.execPath, ["-e", script, url.toString()], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) as string);
}

test("with the CA bundle in NODE_EXTRA_CA_CERTS, pg-boss's driver and postgres.js connect with sslmode=verify-full", async () => {
  expect(await connectBoth({ NODE_EXTRA_CA_CERTS: caFile })).toEqual({
    pg: "ssl=true",
    postgresJs: "ssl=true",
  });
}, 60_000);

test("without the bundle both refuse the certificate (the start-up failure the images' RDS bundle prevents)", async () => {
  const result = await connectBoth({});
  expect(result.pg).toMatch(
    /^error: .*(SELF_SIGNED_CERT_IN_CHAIN|self-signed certificate|UNABLE_TO_VERIFY)/i,
  );
  expect(result.postgresJs).toMatch(
    /^error: .*(SELF_SIGNED_CERT_IN_CHAIN|self-signed certificate|UNABLE_TO_VERIFY)/i,
  );
}, 60_000);
