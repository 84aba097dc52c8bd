import { Command } from "commander";
import { type JsonOption, leaf } from "../command-kit.ts";
import { CliError } from "../errors.ts";
import { fields, print, printJson } from "../output.ts";

type PlatformAction = "preview" | "up";

interface PlatformRunResult {
  changes: Record<string, number>;
  outputs: Record<string, unknown>;
}

type RunPlatform = (
  action: PlatformAction,
  options: { stack?: string; onOutput?: (text: string) => void; signal?: AbortSignal },
) => Promise<PlatformRunResult>;

/**
 * `platform preview|up`: the shared platform stack (cluster access, Postgres, DNS zone, ingress)
 * through the Automation API on this machine. Loaded on demand: it needs the Pulumi SDK and CLI,
 * which no other command does.
 */
export function platformCommand(): Command {
  const platform = new Command("platform").description(
    "the shared platform stack (`Pulumi.yaml`), run with Pulumi here",
  );
  for (const [action, description] of [
    ["preview", "show what `up` would change in the platform stack"],
    ["up", "deploy the platform stack"],
  ] as const) {
    leaf(
      platform
        .command(action)
        .description(description)
        .option("-s, --stack <name>", "the Pulumi stack", "prod"),
      `websplat platform ${action} --stack prod`,
    ).action(async (options: JsonOption & { stack: string }) => {
      const runPlatform = await loadRunPlatform();
      const abort = new AbortController();
      const interrupt = () => abort.abort();
      process.once("SIGINT", interrupt);
      let result: PlatformRunResult;
      try {
        result = await runPlatform(action, {
          stack: options.stack,
          signal: abort.signal,
          // Pulumi's own progress goes to stderr so that `--json` output stays parseable.
          onOutput: (text) => process.stderr.write(text),
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new CliError(typeof code === "string" ? code : "platform_failed", (error as Error).message);
      } finally {
        process.off("SIGINT", interrupt);
      }
      if (options.json) return printJson(result);
      const changes = Object.entries(result.changes).map(([kind, count]) => `${kind} ${count}`);
      print(`platform ${action} (${options.stack}): ${changes.join(", ") || "no changes"}`);
      const outputs = Object.entries(result.outputs);
      if (outputs.length > 0) print(fields(outputs.map(([name, value]) => [name, String(value)])));
    });
  }
  return platform;
}

async function loadRunPlatform(): Promise<RunPlatform> {
  // Never `infra/index.ts`: that file *is* the Pulumi program and only runs under the engine.
  const path = "../../infra/automation.ts";
  let module: { runPlatform?: unknown };
  try {
    module = await import(path);
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND" ||
      !String(error).includes("automation.ts")
    ) {
      throw error;
    }
    module = {};
  }
  if (typeof module.runPlatform !== "function") {
    throw new CliError(
      "platform_unavailable",
      "this checkout has no platform runner (runPlatform in infra/automation.ts); update it, or run `pulumi preview -s prod` in the project root",
    );
  }
  return module.runPlatform as RunPlatform;
}
