import { readFileSync } from "node:fs";

/** Whether a process with this pid exists and has not exited (a zombie waiting for its parent has). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    // No /proc here: the signal said it exists.
    return true;
  }
}
