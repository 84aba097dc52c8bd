import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { expect, test } from "vitest";

const PACK = resolve(import.meta.dirname, "../../stacks/pulumi/guardrails");

/**
 * What `pulumi up --policy-pack` does: the CLI's `pulumi-analyzer-policy` resolves
 * `@pulumi/pulumi/cmd/run-policy-pack` from the pack's directory and runs it with node; a pack that
 * loads prints the port of its analyzer server, a broken one prints the error and exits.
 */
function runPolicyPack(): Promise<{ port?: number; output: string }> {
  const runner = createRequire(`${PACK}/`).resolve("@pulumi/pulumi/cmd/run-policy-pack");
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: PACK });
    let output = "";
    const settle = (port?: number) => {
      child.kill("SIGTERM");
      resolvePromise({ port, output });
    };
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      const port = /^(\d+)\s*$/m.exec(output)?.[1];
      if (port) settle(Number(port));
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    child.on("close", () => settle());
  });
}

test("the guardrails pack loads under Pulumi's own policy runner (no TS5097 from its ts-node on .ts imports)", async () => {
  const { port, output } = await runPolicyPack();
  expect(output).not.toMatch(/TS\d{4}|Error/);
  expect(port, output).toBeGreaterThan(0);
}, 60_000);
