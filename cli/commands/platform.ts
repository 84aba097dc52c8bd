import { Command } from "commander";
import { type JsonOption, leaf } from "../command-kit.ts";
import { CliError } from "../errors.ts";
import { fields, print, printJson, table } from "../output.ts";
import {
  automationPlatformStacks,
  type PlatformStacks,
  promote,
  type Release,
  releases,
  rollback,
} from "./promotion.ts";

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
export function platformCommand(
  openStacks: () => Promise<PlatformStacks> = automationPlatformStacks,
): Command {
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
  leaf(
    platform
      .command("promote")
      .description(
        "pin in --to the image digests --from runs, once its last journey check passed on them (then `platform up --stack <to>`)",
      )
      .requiredOption("--from <stack>", "the stack whose images passed (staging)")
      .requiredOption("--to <stack>", "the stack to pin them in (prod)"),
    "websplat platform promote --from staging --to prod",
  ).action(async (options: JsonOption & { from: string; to: string }) => {
    const release = await promote(await openStacks(), options.from, options.to);
    if (options.json) return printJson(release);
    print(
      `${options.to} now pins what ${options.from} ran:\n${releaseText(release)}\nApply it: websplat platform up --stack ${options.to}`,
    );
  });
  leaf(
    platform
      .command("rollback")
      .description("pin again the digests of the release before the current one (then `platform up`)")
      .option("-s, --stack <name>", "the Pulumi stack", "prod"),
    "websplat platform rollback --stack prod",
  ).action(async (options: JsonOption & { stack: string }) => {
    const release = await rollback(await openStacks(), options.stack);
    if (options.json) return printJson(release);
    print(
      `${options.stack} rolled back to:\n${releaseText(release)}\nApply it: websplat platform up --stack ${options.stack}`,
    );
  });
  leaf(
    platform
      .command("releases")
      .description("what moved into a stack and when: promotions and rollbacks, newest first")
      .option("-s, --stack <name>", "the Pulumi stack", "prod"),
    "websplat platform releases --stack prod",
  ).action(async (options: JsonOption & { stack: string }) => {
    const history = (await releases(await openStacks(), options.stack)).reverse();
    if (options.json) return printJson({ releases: history });
    if (history.length === 0) return print(`${options.stack}: no release recorded yet`);
    print(
      table(
        ["AT", "KIND", "FROM", "CONTROL PLANE", "RUNTIME", "JOURNEY CHECK"],
        history.map((r) => [
          r.at,
          r.kind,
          r.from,
          short(r.controlPlaneDigest),
          short(r.runtimeDigest),
          r.journeyCheckAt ?? "-",
        ]),
      ),
    );
  });
  return platform;
}

function releaseText(release: Release): string {
  return fields([
    ["control plane", release.controlPlaneDigest],
    ["runtime", release.runtimeDigest],
    ["journey check", release.journeyCheckAt ?? "-"],
    ["at", release.at],
  ]);
}

function short(digest: string): string {
  return digest.slice(0, 19);
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
