import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const LAUNCHER = fileURLToPath(new URL("../../cli/websplat.mjs", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How the CLI finds its control plane: the variables a user would set. */
export interface CliTarget {
  url?: string;
  adminToken?: string;
  env?: Record<string, string>;
  /** Keep the colour settings of a user's shell (a terminal type with colours, no NO_COLOR) instead of plain text. */
  terminalColours?: boolean;
}

/** A running `websplat` process: its output as it arrives, and its end. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout holds a match, with the output so far. */
  waitForOutput: (pattern: RegExp) => Promise<string>;
  done: Promise<CliResult>;
}

export function startWebsplat(args: string[], target: CliTarget = {}): CliProcess {
  // Plain text unless a test asks for colour.
  const env: NodeJS.ProcessEnv = target.terminalColours
    ? { ...process.env, TERM: "xterm-256color" }
    : { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  if (target.terminalColours) delete env.NO_COLOR;
  Object.assign(env, target.env);
  if (env.FORCE_COLOR) delete env.NO_COLOR;
  if (target.url) env.WEBSPLAT_URL = target.url;
  if (target.adminToken) env.WEBSPLAT_ADMIN_TOKEN = target.adminToken;
  const child = spawn(process.execPath, [LAUNCHER, ...args], { env });
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ pattern: RegExp; resolve: (output: string) => void }> = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stdout)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(stdout);
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const done = once(child, "close").then(([code]) => ({ code: code as number, stdout, stderr }));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForOutput: (pattern) =>
      pattern.test(stdout)
        ? Promise.resolve(stdout)
        : Promise.race([
            new Promise<string>((resolve) => waiters.push({ pattern, resolve })),
            done.then((result) => {
              throw new Error(
                `websplat ended (exit ${result.code}) before printing ${pattern}:\n${result.stdout}\n${result.stderr}`,
              );
            }),
          ]),
    done,
  };
}

/** Runs `websplat <args>` to its end, as a user would from a shell. */
export function websplat(args: string[], target: CliTarget = {}): Promise<CliResult> {
  return startWebsplat(args, target).done;
}

/** Parses the stdout of a `--json` run, failing with the whole output when it is not JSON. */
// biome-ignore lint/suspicious/noExplicitAny: tests read the answer's fields as the contract states them
export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
