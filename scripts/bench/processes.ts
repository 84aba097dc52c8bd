import { readdir, readFile } from "node:fs/promises";

/** Resident set size of a process in bytes (Linux /proc), or NaN when it cannot be read. */
export async function rss(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kib = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kib ? Number(kib) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** A tenant runtime's command line: the bundle the local driver runs, or the sources. */
export const RUNTIME_COMMAND = /\/dist\/main\.mjs|agent-runtime\/main\.ts/;

/** Processes whose parent is `parentPid` and whose command line contains `needle`. */
export async function childrenMatching(parentPid: number, needle: RegExp): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parentPid) continue;
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, "utf8")).replaceAll("\0", " ");
      if (needle.test(cmdline)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Bytes of memory still available to new processes (MemAvailable). */
export async function availableMemory(): Promise<number> {
  const meminfo = await readFile("/proc/meminfo", "utf8");
  return Number(/MemAvailable:\s+(\d+)\s+kB/.exec(meminfo)?.[1] ?? 0) * 1024;
}

/** Those of `pids` that are still alive and still run `needle` (a pid may have been reused). */
export async function stillRunning(pids: number[], needle: RegExp): Promise<number[]> {
  const alive: number[] = [];
  for (const pid of pids) {
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
      if (needle.test(cmdline)) alive.push(pid);
    } catch {
      // Gone.
    }
  }
  return alive;
}

/** SIGTERM, then SIGKILL after `graceMs` for any that remain. */
export async function terminateAll(pids: number[], graceMs = 5000): Promise<void> {
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  for (const pid of pids) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  let left = pids;
  while (left.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = left.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
  }
  for (const pid of left) signal(pid, "SIGKILL");
}
