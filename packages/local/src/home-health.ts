/**
 * What `tunelake doctor` finds wrong in a local home (README "tunelake doctor"): date locks whose process is gone,
 * executions left RUNNING by a process that died, and a crawler left RUNNING with no run to finish it. Each finding
 * says what to do, and {@link repairHome} does the part that is safe to do for the user.
 */
import { readdir, readFile, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { abandon, listExecutions } from "./executions.ts";
import { localPaths } from "./paths.ts";
import { isLiveOwner } from "./process-identity.ts";

/** One thing wrong with the home: `problem` and the `fix`, each one line. */
export interface HomeFinding {
  kind: "stale-lock" | "dead-run" | "stuck-crawler" | "foreign-lock";
  problem: string;
  fix: string;
  /** The execution the finding is about, when there is one. */
  execution?: string;
}

interface LockFile {
  pid?: number;
  host?: string;
  pidStart?: string;
  name?: string;
  startedAt?: string;
}

interface Lock extends LockFile {
  path: string;
}

async function readLocks(home: string): Promise<Lock[]> {
  const dir = localPaths(home).locks;
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".lock"));
  const locks: Lock[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    try {
      locks.push({ ...(JSON.parse(text) as LockFile), path });
    } catch {
      locks.push({ path });
    }
  }
  return locks;
}

interface CrawlerFile {
  state?: string;
  startTime?: string;
}

async function readCrawler(home: string): Promise<CrawlerFile | undefined> {
  const text = await readFile(localPaths(home).crawlerFile, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as CrawlerFile;
  } catch {
    return undefined;
  }
}

/** Whether a lock (or record) is owned by a process of this host that is gone. */
const deadHere = (owner: { pid?: number; host?: string; pidStart?: string }) =>
  (owner.host === undefined || owner.host === hostname()) && !isLiveOwner(owner);

/** Inspects `home` without changing it. An empty list: healthy. */
export async function inspectHome(home: string): Promise<HomeFinding[]> {
  const findings: HomeFinding[] = [];
  const executions = await listExecutions(home);
  const locks = await readLocks(home);
  for (const lock of locks) {
    if (lock.host !== undefined && lock.host !== hostname()) {
      findings.push({
        kind: "foreign-lock",
        problem: `${lock.path} is held by host ${lock.host} (pid ${lock.pid ?? "?"})`,
        fix: "if no run of that date is going there, delete the file",
        ...(lock.name ? { execution: lock.name } : {}),
      });
    } else if (lock.pid === undefined || deadHere(lock)) {
      findings.push({
        kind: "stale-lock",
        problem: `stale lock ${lock.path}: its process (pid ${lock.pid ?? "?"}) is gone`,
        fix: "npx tunelake doctor --fix removes it (a new run of that date would too)",
        ...(lock.name ? { execution: lock.name } : {}),
      });
    }
  }
  const running = executions.filter((e) => e.status === "RUNNING");
  for (const record of running) {
    if (record.host !== undefined && record.host !== hostname()) continue;
    if (!deadHere(record)) continue;
    findings.push({
      kind: "dead-run",
      problem: `execution ${record.name} is RUNNING but its process (pid ${record.pid ?? "?"}) is gone`,
      fix: `npx tunelake doctor --fix marks it FAILED, then: npx tunelake redrive ${record.name}`,
      execution: record.name,
    });
  }
  const crawler = await readCrawler(home);
  const liveRun = running.some((r) => !deadHere(r));
  if (crawler?.state === "RUNNING" && !liveRun) {
    findings.push({
      kind: "stuck-crawler",
      problem: `the local crawler is RUNNING since ${crawler.startTime ?? "?"} with no run going to finish it`,
      fix: "npx tunelake doctor --fix sets it READY (the lake is crawled again by the next run)",
    });
  }
  return findings;
}

/**
 * Does the safe part of each finding: a dead run becomes FAILED (as the next run of its date would record it, so it
 * can be redriven), a stale lock is removed, a crawler nobody runs is reset. Locks of other hosts are left alone.
 * Returns what it did, one line each.
 */
export async function repairHome(home: string, findings: readonly HomeFinding[]): Promise<string[]> {
  const done: string[] = [];
  for (const finding of findings) {
    if (finding.kind === "dead-run" && finding.execution) {
      const record = (await listExecutions(home)).find((e) => e.name === finding.execution);
      await abandon(home, finding.execution, record?.pid ?? -1);
      done.push(`marked ${finding.execution} FAILED: resume it with npx tunelake redrive ${finding.execution}`);
    }
  }
  for (const finding of findings) {
    if (finding.kind === "stale-lock") {
      const lock = (await readLocks(home)).find((l) => finding.problem.includes(l.path));
      if (!lock) continue;
      if (lock.name && lock.pid !== undefined) await abandon(home, lock.name, lock.pid);
      await unlink(lock.path).catch(() => undefined);
      done.push(`removed ${lock.path}`);
    } else if (finding.kind === "stuck-crawler") {
      // The stand-in reads a missing file as READY (glue.ts); the next run crawls the lake again.
      await unlink(localPaths(home).crawlerFile).catch(() => undefined);
      done.push("reset the local crawler to READY");
    }
  }
  return done;
}
