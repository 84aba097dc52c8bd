import { CommanderError } from "commander";
import { CliError } from "./errors.ts";
import { websplatProgram } from "./program.ts";

/** Runs one `websplat` command line and answers its exit code: 0 ok, 1 failed, 2 usage. */
export async function runWebsplat(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  try {
    await websplatProgram().parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    // Commander has already printed the usage problem (or the help that was asked for).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof CliError) {
      if (!error.reported) {
        if (json)
          process.stdout.write(
            `${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`,
          );
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

process.exitCode = await runWebsplat(process.argv.slice(2));
