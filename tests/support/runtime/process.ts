import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

export interface RuntimeProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node agent-runtime/main.ts` exactly as the control plane does and waits for /healthz. */
export async function startRuntimeProcess(env: Record<string, string>): Promise<RuntimeProcess> {
  const child = spawn(process.execPath, ["agent-runtime/main.ts"], {
    env: { PATH: process.env.PATH ?? "", ...env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (chunk) => {
    output += chunk;
  });
  const exited = once(child, "exit").then(([code, signal]) => ({ code, signal })) as RuntimeProcess["exited"];
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      output += `${line}\n`;
      const match = /"msg":"listening"/.test(line) && /"port":(\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(({ code }) =>
      reject(new Error(`runtime exited (${code}) before listening:\n${output}`)),
    );
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    const response = await fetch(`${url}/healthz`).catch(() => undefined);
    if (response?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, url, output: () => output, exited };
}
