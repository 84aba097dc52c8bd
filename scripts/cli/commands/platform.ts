import { access } from "node:fs/promises";
import { Command } from "commander";
import { type JsonOption, leaf } from "../command-kit.ts";
import { CliError } from "../errors.ts";
import { print, printJson } from "../output.ts";

/** Where the platform stack's Automation API entry points may live; never `infra/index.ts`, which *is* the Pulumi program. */
const CANDIDATES = ["infra/automation.ts", "infra/platform.ts"];
const ENTRY_POINTS = {
  preview: ["previewPlatform", "platformPreview"],
  up: ["upPlatform", "platformUp", "deployPlatform"],
} as const;

type PlatformAction = keyof typeof ENTRY_POINTS;
type EntryPoint = (options: { stack: string; onOutput: (text: string) => void }) => Promise<unknown>;

/** `platform preview|up`: the shared platform stack (cluster access, Postgres, DNS zone, ingress), run on this machine. */
export function platformCommand(): Command {
  const platform = new Command("platform").description(
    "the shared platform stack (infra/, `Pulumi.yaml`), run with Pulumi here",
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
      const run = await loadEntryPoint(action);
      const result = await run({
        stack: options.stack,
        // Pulumi's own progress goes to stderr so `--json` output stays parseable.
        onOutput: (text) => process.stderr.write(text),
      });
      if (options.json) printJson(result ?? null);
      else if (result !== undefined)
        print(typeof result === "string" ? result : JSON.stringify(result, null, 2));
    });
  }
  return platform;
}

async function loadEntryPoint(action: PlatformAction): Promise<EntryPoint> {
  const root = new URL("../../../", import.meta.url);
  for (const candidate of CANDIDATES) {
    const file = new URL(candidate, root);
    if (
      !(await access(file).then(
        () => true,
        () => false,
      ))
    )
      continue;
    const module = (await import(file.href)) as Record<string, unknown>;
    const name = ENTRY_POINTS[action].find((each) => typeof module[each] === "function");
    if (name) return module[name] as EntryPoint;
  }
  throw new CliError(
    "platform_unavailable",
    `this checkout has no platform ${action} entry point (${ENTRY_POINTS[action][0]} in ${CANDIDATES.join(" or ")}); ` +
      "run `pulumi " +
      action +
      " -s prod` in the project root instead, with the pulumi CLI installed",
  );
}
