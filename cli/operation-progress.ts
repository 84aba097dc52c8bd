import { setTimeout as delay } from "node:timers/promises";
import ora, { type Ora } from "ora";
import type { AdminClient } from "./admin-client.ts";
import { FINISHED, type LogLine, type Operation } from "./api-types.ts";
import { CliError, reported } from "./errors.ts";
import { duration, logLineText, paint } from "./output.ts";

const RECONNECTS = 5;

/**
 * Streams an operation's log until its `end` event, resuming with Last-Event-ID when the
 * connection drops (the server then sends the lines not yet seen, and `end` once finished),
 * and answers the finished operation.
 */
export async function streamOperation(
  client: AdminClient,
  operationId: string,
  onLine: (line: LogLine) => void,
): Promise<Operation> {
  const path = `/admin/operations/${encodeURIComponent(operationId)}`;
  let lastEventId: string | undefined;
  for (let attempt = 0; attempt <= RECONNECTS; attempt++) {
    if (attempt > 0) await delay(250 * 2 ** (attempt - 1));
    try {
      for await (const event of await client.events(`${path}/events`, { lastEventId })) {
        if (event.id) lastEventId = event.id;
        if (event.event === "log") onLine(JSON.parse(event.data) as LogLine);
        else if (event.event === "end") return JSON.parse(event.data) as Operation;
      }
    } catch (error) {
      // Only a lost connection is worth another try (refused, or cut mid-stream: fetch's
      // TypeError "terminated"); anything the server said is final.
      const lost = error instanceof CliError ? error.code === "unreachable" : error instanceof TypeError;
      if (!lost) throw error;
    }
  }
  const operation = await client.get<Operation>(path);
  if (FINISHED.has(operation.status)) return operation;
  throw new CliError(
    "stream_lost",
    `lost the event stream of operation ${operationId}; follow it again with \`websplat ops logs ${operationId} --follow\``,
  );
}

/**
 * Follows a long operation with a spinner and its streamed log (on stderr, so stdout keeps only the
 * result), then says how it ended. Throws an already-reported error when the operation did not succeed.
 */
export async function followOperation(
  client: AdminClient,
  operationId: string,
  options: { title: string; json: boolean },
): Promise<Operation> {
  const spinner = ora({
    text: options.title,
    stream: process.stderr,
    isSilent: options.json,
    discardStdin: false,
  });
  const interrupt = () => {
    spinner.stop();
    process.stderr.write(
      `stopped following; operation ${operationId} goes on — \`websplat ops logs ${operationId} --follow\`\n`,
    );
    process.exit(130);
  };
  process.once("SIGINT", interrupt);
  spinner.start();
  try {
    const lines: LogLine[] = [];
    const operation = await streamOperation(client, operationId, (line) => {
      lines.push(line);
      if (!options.json) process.stderr.write(`${logLineText(line, process.stderr)}\n`);
      spinner.text = `${options.title} ${paint("dim", `— ${line.step ?? line.message}`, process.stderr)}`;
    });
    const took = duration(operation.startedAt ?? operation.createdAt, operation.finishedAt);
    if (operation.status === "succeeded") succeed(spinner, `${options.title}: done in ${took}`);
    else
      fail(
        spinner,
        `${options.title}: ${operation.status}${operation.error ? ` — ${operation.error.message}` : ""}`,
      );
    return { ...operation, log: operation.log ?? lines };
  } catch (error) {
    if (options.json) throw error;
    fail(spinner, `${options.title}: ${(error as Error).message}`);
    throw reported(error);
  } finally {
    process.off("SIGINT", interrupt);
  }
}

/** A spinner on stderr while `work` runs, for a long request that answers only at its end. */
export async function withSpinner<T>(title: string, json: boolean, work: () => Promise<T>): Promise<T> {
  const spinner = ora({ text: title, stream: process.stderr, isSilent: json, discardStdin: false }).start();
  const started = Date.now();
  try {
    const result = await work();
    succeed(
      spinner,
      `${title}: done in ${duration(new Date(started).toISOString(), new Date().toISOString())}`,
    );
    return result;
  } catch (error) {
    if (json) throw error;
    fail(spinner, `${title}: ${(error as Error).message}`);
    throw reported(error);
  }
}

// ora's own ✔ and ✖ are coloured whenever the terminal type allows, even on a pipe: paint them per stream.
function succeed(spinner: Ora, text: string): void {
  spinner.stopAndPersist({ symbol: paint("green", "✔", process.stderr), text });
}

function fail(spinner: Ora, text: string): void {
  spinner.stopAndPersist({ symbol: paint("red", "✖", process.stderr), text });
}

/** The operation did not succeed; its error is already in the command's output. */
export function operationFailed(operation: Operation): CliError {
  return reported(
    new CliError(
      operation.error?.code ?? `operation_${operation.status}`,
      operation.error?.message ?? `operation ${operation.id} ${operation.status}`,
    ),
  );
}
