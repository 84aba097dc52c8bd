import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalWorkspace } from "@pulumi/pulumi/automation/index.js";
import { CLI_MISSING_MESSAGE, isCliMissing } from "../stacks/pulumi/cli-missing.ts";

/** The platform stack's name and where its project (`Pulumi.yaml`) lives. */
export const PLATFORM_STACK = "prod";
export const PLATFORM_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface PlatformRunOptions {
  /** Pulumi's output as it is printed. */
  onOutput?: (text: string) => void;
  /** Stops the operation (the CLI is interrupted). */
  signal?: AbortSignal;
  /** @default "prod" */
  stack?: string;
  /** Directory holding `Pulumi.yaml`. @default the repository root */
  workDir?: string;
}

/** A platform operation that failed, with a code the CLI can branch on. */
export class PlatformError extends Error {
  readonly code: "cli_missing" | "failed";
  constructor(code: "cli_missing" | "failed", message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PlatformError";
    this.code = code;
  }
}

/** Summary of a platform preview or update. */
export interface PlatformRunResult {
  changes: Record<string, number>;
  /** Stack outputs after an update (secrets left out); empty after a preview. */
  outputs: Record<string, unknown>;
}

/** `websplat platform preview|up`: the Automation API over the root project's `prod` stack, streaming output. */
export async function runPlatform(
  action: "preview" | "up",
  options: PlatformRunOptions = {},
): Promise<PlatformRunResult> {
  try {
    const stack = await LocalWorkspace.selectStack({
      stackName: options.stack ?? PLATFORM_STACK,
      workDir: options.workDir ?? PLATFORM_ROOT,
    });
    const streams = { onOutput: options.onOutput, signal: options.signal, color: "always" as const };
    if (action === "preview") {
      const result = await stack.preview(streams);
      return { changes: counts(result.changeSummary), outputs: {} };
    }
    const result = await stack.up(streams);
    const outputs = Object.fromEntries(
      Object.entries(result.outputs)
        .filter(([, output]) => !output.secret)
        .map(([key, output]) => [key, output.value]),
    );
    return { changes: counts(result.summary.resourceChanges ?? {}), outputs };
  } catch (error) {
    if (isCliMissing(error)) throw new PlatformError("cli_missing", CLI_MISSING_MESSAGE, { cause: error });
    const message =
      error instanceof Error ? error.message.split("\n").find((line) => /error/i.test(line)) : undefined;
    throw new PlatformError(
      "failed",
      `Pulumi ${action} of the platform stack failed: ${message?.trim() ?? String(error)}`,
      {
        cause: error,
      },
    );
  }
}

function counts(summary: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(summary).filter((entry): entry is [string, number] => Boolean(entry[1])),
  );
}
