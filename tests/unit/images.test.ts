import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const IMAGES = ["control-plane/Dockerfile", "agent-runtime/Dockerfile"];

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(file: string): Array<{ op: string; args: string }> {
  const text = readFileSync(resolve(ROOT, file), "utf8").replace(/\\\n/g, " ");
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(" ") };
    });
}

/** The instructions of the last stage: what the image is. */
function finalStage(all: Array<{ op: string; args: string }>) {
  const lastFrom = all.map((i) => i.op).lastIndexOf("FROM");
  return all.slice(lastFrom);
}

describe.each(IMAGES)("%s", (file) => {
  const all = instructions(file);
  const args = new Map(
    all
      .filter((i) => i.op === "ARG" && i.args.includes("="))
      .map((i) => i.args.split("=", 2) as [string, string]),
  );
  const image = (from: string) =>
    from.split(/\s+/)[0]!.replace(/^\$\{(\w+)\}$/, (_, name) => args.get(name) ?? "");

  it("is built in stages and installs production dependencies only", () => {
    expect(all.filter((i) => i.op === "FROM").length).toBeGreaterThanOrEqual(2);
    const installs = all.filter((i) => i.op === "RUN" && /\bnpm (ci|install)\b/.test(i.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install.args).toContain("--omit=dev");
  });

  it("starts from a pinned, minimal Node 24 base, never `latest`", () => {
    for (const from of all.filter((i) => i.op === "FROM")) {
      const base = image(from.args);
      if (all.some((i) => i.op === "FROM" && i.args.endsWith(` AS ${base}`))) continue; // an earlier stage
      expect(base, from.args).toMatch(
        /^node:24[\w.-]*-(bookworm-slim|slim)(@sha256:[0-9a-f]{64})?$|^gcr\.io\/distroless\/nodejs24/,
      );
      expect(base).not.toMatch(/:latest\b/);
    }
  });

  it("runs as a non-root user with a health check and a command", () => {
    const last = finalStage(all);
    const user = last.filter((i) => i.op === "USER").at(-1)?.args;
    expect(user).toBeDefined();
    expect(["root", "0", "0:0"]).not.toContain(user);
    const health = last.find((i) => i.op === "HEALTHCHECK");
    expect(health?.args).toContain("/healthz");
    expect(last.some((i) => i.op === "CMD" || i.op === "ENTRYPOINT")).toBe(true);
  });
});

describe("the runtime image", () => {
  it("installs every package the runtime imports (it is deployed alone)", () => {
    const dockerfile = readFileSync(resolve(ROOT, "agent-runtime/Dockerfile"), "utf8");
    const keep = /const keep = \[([^\]]+)\]/.exec(dockerfile)?.[1] ?? "";
    const installed = new Set([...keep.matchAll(/"([^"]+)"/g)].map((m) => m[1]!));
    const imports = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts") && entry.name !== "drizzle.config.ts") {
          const source = readFileSync(path, "utf8");
          for (const m of source.matchAll(/(?:from|import\()\s*"([^".][^"]*)"/g)) {
            // Package names only (SQL text such as `from "${schema}"` is not an import).
            if (m[1]!.startsWith("node:") || !/^(@[a-z0-9-]+\/)?[a-z0-9][\w.-]*(\/|$)/.test(m[1]!)) continue;
            imports.add(/^(@[^/]+\/[^/]+|[^/]+)/.exec(m[1]!)![1]!);
          }
        }
      }
    };
    walk(resolve(ROOT, "agent-runtime"));
    expect(imports.size).toBeGreaterThan(3);
    for (const name of imports) expect(installed, name).toContain(name);
  });

  it("the build context leaves out dependencies, data, secrets and tests", () => {
    const ignored = readFileSync(resolve(ROOT, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["node_modules", ".data", ".env", ".git", "tests"]) expect(ignored).toContain(entry);
  });
});

describe("the control plane image on Graviton nodes with a read-only root", () => {
  const dockerfile = readFileSync(resolve(ROOT, "control-plane/Dockerfile"), "utf8");

  it("takes the Pulumi CLI tarball of the build's architecture, not always linux-x64", () => {
    expect(dockerfile).toContain("ARG TARGETARCH");
    expect(dockerfile).toMatch(/amd64\) tarball=x64/);
    expect(dockerfile).toMatch(/arm64\) tarball=arm64/);
    expect(dockerfile).toMatch(/pulumi-v\$\{PULUMI_VERSION\}-linux-\$\{tarball\}\.tar\.gz/);
    expect(dockerfile).not.toMatch(/linux-x64\.tar\.gz/);
  });

  it("bakes the provider plugins and points PULUMI_HOME at the writable /data, so nothing writes ~/.pulumi at boot", () => {
    expect(dockerfile).toMatch(/pulumi plugin install resource "\$name" "\$version"/);
    expect(dockerfile).toContain("PULUMI_HOME=/data/pulumi");
    expect(dockerfile).toContain("WEBSPLAT_PULUMI_PLUGIN_DIR=/opt/pulumi/plugins");
  });

  it("installs ca-certificates for the Go binaries and ships the RDS CA for Node's Postgres clients", () => {
    const last = finalStage(instructions("control-plane/Dockerfile"));
    expect(last.some((i) => i.op === "RUN" && /apt-get install .*ca-certificates/.test(i.args))).toBe(true);
    expect(dockerfile).toContain("NODE_EXTRA_CA_CERTS=/etc/ssl/certs/rds-global-bundle.pem");
  });
});

describe("the plugins baked into the control plane image", () => {
  it("cover every provider the driver checks at boot, so none is downloaded on a read-only root", async () => {
    const { PLUGIN_PACKAGES } = await import("../../stacks/pulumi/plugins.ts");
    const dockerfile = readFileSync(resolve(ROOT, "control-plane/Dockerfile"), "utf8");
    for (const name of PLUGIN_PACKAGES) {
      expect(dockerfile).toContain(`COPY --from=deps /app/node_modules/${name}/package.json`);
    }
  });
});

describe("the control plane image", () => {
  it("starts the control plane as `npm start` does, with the same heap limit", () => {
    const command = finalStage(instructions("control-plane/Dockerfile")).findLast((i) => i.op === "CMD")!;
    const start = (
      JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { scripts: { start: string } }
    ).scripts.start;
    expect(JSON.parse(command.args)).toEqual(["sh", "-c", start]);
    expect(start).toMatch(/--max-old-space-size=\$\{WEBSPLAT_HEAP_MIB:-\d+\}/);
  });
});
