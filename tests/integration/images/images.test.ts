import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestDatabase } from "../../support/db.ts";
import { createTestTenant } from "../../support/runtime/tenant.ts";
import {
  buildImage,
  Container,
  freePort,
  hasContainerTools,
  nodeBaseImage,
  progress,
  ROOT,
  until200,
} from "./containers.ts";

const RUNTIME_IMAGE = "localhost/websplat/agent-runtime:smoke";
const CONTROL_PLANE_IMAGE = "localhost/websplat/control-plane:smoke";
/** Stand-in for the Pulumi CLI, given to the build as the `pulumi-cli` context (no download here). */
const PULUMI_STUB = join(ROOT, "tests/integration/images/pulumi-stub");

const tools = await hasContainerTools();
if (!tools) progress("podman/buildah not found: the image smoke test is skipped");

/** A write the container must refuse (read-only root) or allow (declared writable path). */
const WRITE_PROBE = `
const fs = require("node:fs");
for (const path of process.argv.slice(1)) {
  try { fs.writeFileSync(path, "x"); console.log(path + " ok"); }
  catch (error) { console.log(path + " " + error.code); }
}`;

describe.skipIf(!tools)("the production images, built and started here", () => {
  const scratch: string[] = [];
  const containers: Container[] = [];
  const dir = async (label: string) => {
    const path = await mkdtemp(join(tmpdir(), `websplat-image-${label}-`));
    scratch.push(path);
    await import("node:fs/promises").then((fs) => fs.chmod(path, 0o777));
    return path;
  };

  beforeAll(async () => {
    const started = Date.now();
    const baseImage = await nodeBaseImage();
    progress(`base image ${baseImage}`);
    await buildImage({ dockerfile: "agent-runtime/Dockerfile", tag: RUNTIME_IMAGE, baseImage });
    await buildImage({
      dockerfile: "control-plane/Dockerfile",
      tag: CONTROL_PLANE_IMAGE,
      baseImage,
      contexts: { "pulumi-cli": PULUMI_STUB },
    });
    progress(`both images built in ${Math.round((Date.now() - started) / 1000)}s`);
  }, 1_500_000);

  afterAll(async () => {
    for (const container of containers) await container.remove();
    for (const path of scratch) await rm(path, { recursive: true, force: true });
  });

  test("the runtime starts as uid 10001 on a read-only root, against a real Postgres, and answers /healthz", async () => {
    const tenant = await createTestTenant("smoke");
    const tmp = await dir("runtime-tmp");
    const container = await Container.create(RUNTIME_IMAGE, { "/tmp": tmp });
    containers.push(container);
    const port = await freePort();
    const env = { ...tenant.env, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info" };
    const runtime = container.start(env, ["node", "agent-runtime/main.ts"]);
    const health = await until200(`http://127.0.0.1:${port}/healthz`, runtime.exited, runtime.output);
    expect(health.status).toBe(200);

    const probe = await container.exec({}, [
      "sh",
      "-c",
      `id -u; node -e '${WRITE_PROBE}' /app/probe /etc/probe /usr/probe /var/tmp/probe /probe /tmp/probe`,
    ]);
    expect(probe).toMatch(/^10001$/m);
    expect(probe).toContain("/app/probe EROFS");
    expect(probe).toContain("/etc/probe EROFS");
    expect(probe).toContain("/usr/probe EROFS");
    expect(probe).toContain("/var/tmp/probe EROFS");
    expect(probe).toMatch(/\/probe (EACCES|EROFS)/);
    expect(probe).toContain("/tmp/probe ok");
  }, 180_000);

  test("the control plane boots the pulumi driver on a read-only root and answers /readyz: plugins baked, PULUMI_HOME and the state backend writable", async () => {
    const databaseUrl = await createTestDatabase("image_control_plane");
    const data = await dir("control-plane-data");
    const tmp = await dir("control-plane-tmp");
    const container = await Container.create(CONTROL_PLANE_IMAGE, { "/data": data, "/tmp": tmp });
    containers.push(container);
    const port = await freePort();
    const env = {
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      WEBSPLAT_DRIVER: "pulumi",
      WEBSPLAT_BASE_DOMAIN: "websp.lat",
      WEBSPLAT_PUBLIC_URL: "https://websp.lat",
      WEBSPLAT_ADMIN_TOKEN: randomBytes(24).toString("hex"),
      PULUMI_BACKEND_URL: "file:///data/state",
      PULUMI_CONFIG_PASSPHRASE: "smoke-test-passphrase",
      // As in a pod: no kubeconfig, the ServiceAccount is used.
      KUBERNETES_SERVICE_HOST: "127.0.0.1",
      CLOUDFLARE_API_TOKEN: "cloudflare-token-for-the-smoke-test",
      CLOUDFLARE_ZONE_ID: "0123456789abcdef0123456789abcdef",
      WEBSPLAT_RUNTIME_IMAGE: "registry.example/websplat/agent-runtime:1.0.0",
      WEBSPLAT_INGRESS_HOSTNAME: "ingress.example.com",
      WEBSPLAT_TENANT_DB_HOST: "127.0.0.1",
      // What production mode refuses to default (control-plane/config-production.ts); email explicitly off.
      WEBSPLAT_SITES_DOMAIN: "websplat.site",
      WEBSPLAT_TRUSTED_PROXY: "10.0.0.0/16",
      WEBSPLAT_METRICS_TOKEN: randomBytes(16).toString("hex"),
      WEBSPLAT_EMAIL_TRANSPORT: "off",
      WEBSPLAT_OWNER_SIGNING_KEY: generateKeyPairSync("ed25519")
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString(),
      STRIPE_SECRET_KEY: "sk_test_image_smoke_test",
      STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString("base64")}`,
      WEBSPLAT_BACKUP_BUCKET: "websplat-backups",
      WEBSPLAT_S3_ENDPOINT: "http://127.0.0.1:1",
      OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
      PULUMI_STUB_LOG: "/data/pulumi-stub-calls.jsonl",
    };
    const controlPlane = container.start(env, ["node", "control-plane/main.ts"]);
    const ready = await until200(`http://127.0.0.1:${port}/readyz`, controlPlane.exited, controlPlane.output);
    expect(ready.status).toBe(200);

    const calls = (await readFile(join(data, "pulumi-stub-calls.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map(
        (line) => JSON.parse(line) as { args: string[]; pulumiHome: string; backend: string; uid: number },
      );
    // The Automation API adds --non-interactive to every command.
    const commands = calls.map((call) => call.args.filter((arg) => arg !== "--non-interactive").join(" "));
    expect(commands).toContain("version");
    expect(commands).toContain("plugin ls --json");
    expect(commands).toContain("whoami --json");
    // Baked into the image at the SDK versions: nothing is installed (downloaded) at boot.
    expect(commands.filter((command) => command.startsWith("plugin install"))).toEqual([]);
    for (const call of calls.filter((c) => c.args[0] !== "version")) {
      expect(call.pulumiHome).toBe("/data/pulumi");
      expect(call.backend).toBe("file:///data/state");
    }
    expect(new Set(calls.map((call) => call.uid))).toEqual(new Set([10001]));
    expect(await readlink(join(data, "pulumi/plugins"))).toBe("/opt/pulumi/plugins");

    const plugins = await container.exec({}, ["sh", "-c", "ls /opt/pulumi/plugins"]);
    const wanted = (await container.exec({}, ["node", "stacks/pulumi/plugins.ts"])).trim().split("\n");
    for (const line of wanted) {
      const [name, version] = line.split(" ");
      expect(plugins).toContain(`resource-${name}-v${version}`);
    }

    const probe = await container.exec({}, [
      "sh",
      "-c",
      `ls /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/rds-global-bundle.pem; node -e '${WRITE_PROBE}' /app/probe /opt/pulumi/plugins/probe /etc/probe /data/probe /tmp/probe`,
    ]);
    expect(probe).toContain("/etc/ssl/certs/ca-certificates.crt");
    expect(probe).toContain("/etc/ssl/certs/rds-global-bundle.pem");
    expect(probe).toContain("/app/probe EROFS");
    expect(probe).toContain("/opt/pulumi/plugins/probe EROFS");
    expect(probe).toContain("/etc/probe EROFS");
    expect(probe).toContain("/data/probe ok");
    expect(probe).toContain("/tmp/probe ok");
  }, 240_000);
});
