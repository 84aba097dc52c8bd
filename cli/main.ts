import { CommanderError } from "commander";
import { createContext } from "./command-kit.ts";
import { CliError } from "./errors.ts";
import { websplatProgram } from "./program.ts";

// `websplat … | head -1`: the reader has all it wanted; stop without a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? 0);
  });
}

/** Runs one `websplat` command line and answers its exit code: 0 ok, 1 failed, 2 usage. */
export async function runWebsplat(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  try {
    await websplatProgram(createContext(), json).parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      // Without --json, commander has already printed the usage problem.
      if (json) printJsonError("usage", error.message.replace(/^error: /, ""));
      return 2;
    }
    if (error instanceof CliError) {
      if (!error.reported) {
        if (json) printJsonError(error.code, error.message);
        else process.stderr.write(`error: ${error.message}\n`);
      }
      return error.exitCode;
    }
    process.stderr.write(
      `websplat: unexpected failure, please report it: ${(error as Error).stack ?? String(error)}\n`,
    );
    return 1;
  }
}

function printJsonError(code: string, message: string): void {
  process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
}

process.exitCode = await runWebsplat(process.argv.slice(2));
