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

/** Processes whose parent is `parentPid` and whose command line contains `needle`. */
export async function childrenMatching(parentPid: number, needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parentPid) continue;
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, "utf8")).replaceAll("\0", " ");
      if (cmdline.includes(needle)) pids.push(Number(entry));
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
