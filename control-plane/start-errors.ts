import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** The one line `npm start` prints when start fails: what went wrong and what to do. */
export function startFailureMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EADDRINUSE") {
    const port = (error as { port?: number }).port;
    const holder = port ? listenerOf(port) : null;
    return `port ${port ?? "(unknown)"} is already in use${holder ? ` by ${holder}` : ""}: stop that process, or choose another port with PORT= (PORT=0 picks a free one)`;
  }
  if (code === "EACCES" && (error as { syscall?: string }).syscall === "listen") {
    return `not allowed to listen on port ${(error as { port?: number }).port}: choose a port above 1023 with PORT=`;
  }
  if (error instanceof Error) return error.message || error.name;
  return error === undefined ? "an unknown error (no details were given)" : String(error);
}

/** "PID 1234 (node)" listening on a TCP port of this machine, from /proc; null when it cannot be told. */
export function listenerOf(port: number): string | null {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // State 0A is LISTEN.
      if (local && fields[3] === "0A" && Number.parseInt(local.split(":")[1] ?? "", 16) === port)
        inodes.add(fields[9]!);
    }
  }
  if (inodes.size === 0) return null;
  for (const pid of safeReaddir("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    for (const fd of safeReaddir(`/proc/${pid}/fd`)) {
      let target = "";
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        let name = "";
        try {
          name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
        } catch {}
        return `PID ${pid}${name ? ` (${name})` : ""}`;
      }
    }
  }
  return null;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
