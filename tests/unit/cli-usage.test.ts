import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, startWebsplat, websplat } from "../support/cli.ts";

/** A loopback port nothing listens on: the CLI must say the control plane is unreachable. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let emptyDataDir: string;
let nowhere: string;

beforeAll(async () => {
  emptyDataDir = await mkdtemp(join(tmpdir(), "websplat-cli-"));
  nowhere = `http://127.0.0.1:${await closedPort()}`;
});

afterAll(() => rm(emptyDataDir, { recursive: true, force: true }));

describe("websplat without a control plane", () => {
  it("documents every command group, the environment and the exit codes", async () => {
    const result = await websplat(["--help"]);

    expect(result.code).toBe(0);
    for (const group of ["tenants", "stack", "ops", "backup", "platform"])
      expect(result.stdout).toContain(group);
    expect(result.stdout).toContain("WEBSPLAT_ADMIN_TOKEN");
    expect(result.stdout).toContain("Exit codes: 0 ok, 1 failed, 2 usage.");
  });

  it("shows an example in the help of a command", async () => {
    const result = await websplat(["ops", "logs", "--help"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--follow");
    expect(result.stdout).toMatch(/Example:\n {2}\$ websplat ops logs .+ --follow/);
  });

  it("exits 2 on a usage mistake and says what was wrong", async () => {
    const unknown = await websplat(["tenants", "frobnicate"]);
    const missing = await websplat(["tenants", "show"]);
    const badTier = await websplat(["tenants", "create", "acme", "--email", "a@b.test", "--tier", "gold"]);
    const group = await websplat(["stack"]);

    expect([unknown.code, missing.code, badTier.code, group.code]).toEqual([2, 2, 2, 2]);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(missing.stderr).toContain("missing required argument 'slug'");
    expect(badTier.stderr).toContain("Allowed choices are starter, pro, studio");
  });

  it("answers usage mistakes as JSON when --json is given, before or after the command", async () => {
    const before = await websplat(["--json", "tenants", "frobnicate"]);
    const after = await websplat([
      "tenants",
      "create",
      "acme",
      "--email",
      "a@b.test",
      "--tier",
      "gold",
      "--json",
    ]);

    expect([before.code, after.code]).toEqual([2, 2]);
    expect(json(before)).toEqual({ error: { code: "usage", message: "unknown command 'frobnicate'" } });
    expect(json(after).error).toEqual({
      code: "usage",
      message: expect.stringContaining("Allowed choices are starter, pro, studio"),
    });
    expect(before.stderr + after.stderr).toBe("");
  });

  it("takes --json before the command as well as after it", async () => {
    const result = await websplat(["--json", "tenants", "list"], { url: nowhere, adminToken: "t" });

    expect(result.code).toBe(1);
    expect(json(result).error.code).toBe("unreachable");
  });

  it("ends quietly when the reader of its output goes away (`| head -1`)", async () => {
    const cli = startWebsplat(["stack", "render", "acme", "--tier", "pro", "--format", "yaml"]);
    cli.child.stdout.destroy();
    const result = await cli.done;

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("says how to write a WEBSPLAT_URL that lacks its scheme, as a usage mistake", async () => {
    const text = await websplat(["tenants", "list"], { url: "localhost:8080", adminToken: "t" });
    const machine = await websplat(["tenants", "list", "--json"], {
      url: "ftp://cp.example",
      adminToken: "t",
    });

    expect(text.code).toBe(2);
    expect(text.stderr).toBe(
      'error: WEBSPLAT_URL "localhost:8080" is not an http:// or https:// address — write it with its scheme, e.g. http://localhost:8080\n',
    );
    expect(machine.code).toBe(2);
    expect(json(machine).error.code).toBe("usage");
  });

  it("refuses to delete without --yes, as a usage mistake", async () => {
    const result = await websplat(["tenants", "delete", "acme"], { url: nowhere, adminToken: "t" });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("add --yes to confirm");
  });

  it("says how to get an admin token when it has none", async () => {
    const result = await websplat(["tenants", "list"], {
      env: { WEBSPLAT_ADMIN_TOKEN: "", WEBSPLAT_DATA_DIR: emptyDataDir },
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("set WEBSPLAT_ADMIN_TOKEN");
  });

  it("says the control plane is unreachable and how to start it, in text and in JSON", async () => {
    const text = await websplat(["tenants", "list"], { url: nowhere, adminToken: "t" });
    const machine = await websplat(["tenants", "list", "--json"], { url: nowhere, adminToken: "t" });

    expect(text.code).toBe(1);
    expect(text.stderr).toBe(
      `error: cannot reach the control plane at ${nowhere} — is it running? \`npm start\` (or set WEBSPLAT_URL)\n`,
    );
    expect(machine.code).toBe(1);
    expect(json(machine)).toEqual({
      error: { code: "unreachable", message: expect.stringContaining(nowhere) },
    });
  });

  it("renders a tenant's resources offline, as JSON or as Kubernetes YAML", async () => {
    const asJson = await websplat(["stack", "render", "acme", "--tier", "studio"], { url: nowhere });
    const asYaml = await websplat(["stack", "render", "acme", "--tier", "pro", "--format", "yaml"], {
      url: nowhere,
    });

    expect(asJson.code).toBe(0);
    const resources = json<Array<{ type: string; name: string }>>(asJson);
    expect(resources.map((resource) => resource.type)).toEqual(
      expect.arrayContaining(["kubernetes:apps/v1:Deployment", "kubernetes:policy/v1:PodDisruptionBudget"]),
    );
    expect(asYaml.code).toBe(0);
    expect(asYaml.stdout).toContain("kind: Deployment");
    expect(asYaml.stdout).toContain("namespace: t-acme");
    // YAML holds only Kubernetes objects; its header says what else the tenant is made of.
    expect(asYaml.stdout).toMatch(
      /^# \d+ of \d+ resources are Kubernetes objects and follow; the other \d+ are not and are left out \(--format json shows all\): .*postgresql:index\/role:Role/m,
    );
  });

  it("refuses to render a slug no tenant could have", async () => {
    const result = await websplat(["stack", "render", "Not_A_Slug", "--tier", "pro"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is not a valid slug");
  });

  it("names the missing Pulumi CLI when asked to run the platform stack without it", async () => {
    const noPulumi = { env: { PATH: "/nonexistent" } };

    const text = await websplat(["platform", "preview"], noPulumi);
    const machine = await websplat(["platform", "up", "--json"], noPulumi);

    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^error: The Pulumi CLI \(`pulumi`\) was not found on PATH/);
    expect(machine.code).toBe(1);
    expect(json(machine).error.code).toBe("cli_missing");
  });
});
