/**
 * Who runs an execution: the pid, the host, and the process's start time beside the pid, so that a pid the system
 * has since given to another process (after a crash, or on a long-lived machine) is recognised as not ours and is
 * never signalled (see README, "Hostile input").
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

export interface ProcessIdentity {
  pid: number;
  host: string;
  /**
   * When the process started, in the system's own unit: clock ticks since boot from `/proc/<pid>/stat` (field 22) on
   * Linux, `ps -o lstart=` elsewhere. Absent when neither can be read.
   */
  pidStart?: string;
}

/** The start time of process `pid` (see {@link ProcessIdentity.pidStart}), or undefined when it cannot be read. */
export function processStartTime(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (process.platform === "linux") {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Field 2, the command, is in parentheses and may hold spaces or parentheses: count from the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Fields from 3 on: starttime, field 22, is the 20th of them.
      return fields[19];
    } catch {
      return undefined;
    }
  }
  if (process.platform === "win32") return undefined;
  try {
    const out = execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], { encoding: "utf8", timeout: 2_000 });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** This process. */
export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, host: hostname(), pidStart: processStartTime(process.pid) };
}

/** Whether process `pid` exists on this host (EPERM: it exists but belongs to someone else). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether the process `owner` names is still the one running on this host: alive, and started when it says (a
 * recorded start time that differs from the live process's means the pid was reused). Without a recorded start
 * time (a record from an older tunelake) a live pid counts as the owner, as before.
 */
export function isLiveOwner(owner: { pid?: number; host?: string; pidStart?: string }): boolean {
  if (owner.pid === undefined || !isAlive(owner.pid)) return false;
  if (owner.host !== undefined && owner.host !== hostname()) return false;
  if (owner.pidStart === undefined) return true;
  const now = processStartTime(owner.pid);
  return now === undefined || now === owner.pidStart;
}
