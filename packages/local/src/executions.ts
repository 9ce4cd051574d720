/**
 * The local executions store, `<home>/executions/<name>/`: `execution.json` (like DescribeExecution) and
 * `history.json` (events shaped like GetExecutionHistory's). Names are the run date, with `-2`, `-3`... for reruns;
 * a per-date lock file refuses a second live run of a date, as Step Functions refuses a duplicate execution name.
 */

import { link, mkdir, readdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ExecutionAlreadyRunningError, ExecutionNotFoundError } from "@tunelake/core/errors";
import { retry, verdict } from "@tunelake/core/resilience";
import { nextRunName } from "@tunelake/core/workflow/run-names";
import { ExecutionRecordCorruptError } from "./errors.ts";
import { writeJsonAtomic } from "./json-file.ts";
import { localPaths } from "./paths.ts";
import { currentProcess, isLiveOwner } from "./process-identity.ts";

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED";

/** What `tunelake executions` lists and `tunelake redrive` resumes. */
export interface ExecutionRecord {
  name: string;
  executionArn: string;
  stateMachineArn: string;
  /** The run date. */
  date: string;
  /** The input of the first run (a redrive adds `resumeFrom` to its own input only). */
  input: Record<string, unknown>;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  /** The execution's output when it SUCCEEDED. */
  output?: unknown;
  error?: string;
  cause?: string;
  /** The stage a redrive resumes at (`Extract`, `Transform`, `StartCrawler`, `Validate`; `Prepare` for bad input). */
  failedStage?: string;
  /** The stage running now, or last entered: lets a run left behind by a dead process be redriven. */
  currentStage?: string;
  /** Faults injected into the first run (never applied to a redrive). */
  faults: string[];
  redriveCount: number;
  redriveDate?: string;
  /** Process running the execution while RUNNING. */
  pid?: number;
  /** Host of that process. */
  host?: string;
  /** Start time of that process (process-identity.ts): a reused pid has another one and is never signalled. */
  pidStart?: string;
}

/** One event in the shape of Step Functions' GetExecutionHistory (`timestamp` as an ISO string). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: string;
  type: string;
  [details: string]: unknown;
}

/** Parses a stored JSON file, naming the file and what to do when it is not JSON. */
function parseStored<T>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ExecutionRecordCorruptError({ file, problem: (error as Error).message }, { cause: error });
  }
}

const recordFile = (home: string, name: string) => join(localPaths(home).execution(name), "execution.json");
const historyFile = (home: string, name: string) => join(localPaths(home).execution(name), "history.json");

/** How an execution failed: what {@link failedExecution} records. */
export interface ExecutionFailure {
  error: string;
  cause: string;
  /** The stage a redrive resumes at. */
  failedStage: string;
  /** Default: now. */
  stopDate?: string;
}

/** The record brought to FAILED: stopped, no longer owned by a process. */
export function failedExecution(record: ExecutionRecord, failure: ExecutionFailure): ExecutionRecord {
  return {
    ...record,
    status: "FAILED",
    stopDate: failure.stopDate ?? new Date().toISOString(),
    error: failure.error,
    cause: failure.cause,
    failedStage: failure.failedStage,
    pid: undefined,
    host: undefined,
    pidStart: undefined,
  };
}

/** Every execution, newest first. */
export async function listExecutions(home: string): Promise<ExecutionRecord[]> {
  const dir = localPaths(home).executions;
  const names = (await readdir(dir, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name);
  const records: ExecutionRecord[] = [];
  for (const name of names) {
    const text = await readFile(recordFile(home, name), "utf8").catch(() => undefined);
    if (text) records.push(parseStored<ExecutionRecord>(text, recordFile(home, name)));
  }
  return records.sort((a, b) => b.startDate.localeCompare(a.startDate) || b.name.localeCompare(a.name));
}

/** One execution's record. */
export async function getExecution(home: string, name: string): Promise<ExecutionRecord> {
  const text = await readFile(recordFile(home, name), "utf8").catch(() => undefined);
  if (!text) {
    throw new ExecutionNotFoundError({
      name,
      location: localPaths(home).executions,
      listCommand: "tunelake executions",
    });
  }
  return parseStored<ExecutionRecord>(text, recordFile(home, name));
}

/** One execution's history events, oldest first. */
export async function getHistory(home: string, name: string): Promise<HistoryEvent[]> {
  await getExecution(home, name);
  const text = await readFile(historyFile(home, name), "utf8").catch(() => "[]");
  return parseStored<HistoryEvent[]>(text, historyFile(home, name));
}

/** Writes an execution's record. */
export async function saveExecution(home: string, record: ExecutionRecord): Promise<void> {
  await mkdir(localPaths(home).execution(record.name), { recursive: true });
  await writeJsonAtomic(recordFile(home, record.name), record);
}

/** Writes an execution's whole history. */
export async function saveHistory(home: string, name: string, events: readonly HistoryEvent[]): Promise<void> {
  await mkdir(localPaths(home).execution(name), { recursive: true });
  await writeJsonAtomic(historyFile(home, name), events);
}

/** The first free name for a run date: the date, then `<date>-2`, `<date>-3`... (workflow/run-names.ts). */
export async function nextExecutionName(home: string, date: string): Promise<string> {
  const taken = await readdir(localPaths(home).executions).catch(() => [] as string[]);
  const name = nextRunName(date, taken);
  if (!name) {
    throw new ExecutionAlreadyRunningError({
      date,
      reason: "namesTakenHere",
      executions: localPaths(home).executions,
    });
  }
  return name;
}

interface LockFile {
  pid: number;
  host: string;
  /** The owner's start time (process-identity.ts); absent in locks of older versions. */
  pidStart?: string;
  name: string;
  startedAt: string;
}

/** Marks a RUNNING execution whose process died as FAILED, so it can be redriven at the stage it was in. */
export async function abandon(home: string, name: string, pid: number): Promise<void> {
  const record = await getExecution(home, name).catch(() => undefined);
  if (record?.status !== "RUNNING") return;
  await saveExecution(
    home,
    failedExecution(record, {
      error: "States.Runtime",
      cause: `The process (pid ${pid}) running this execution exited before it finished. Redrive it: tunelake redrive ${name}`,
      failedStage: record.failedStage ?? record.currentStage ?? "Extract",
    }),
  );
}

/**
 * Takes the run date's lock for execution `name`. A lock held by a live process refuses the run; a lock left by a
 * dead process on this host is taken over and its execution marked FAILED.
 * Returns the release function.
 */
export async function lockRunDate(home: string, date: string, name: string): Promise<() => Promise<void>> {
  const dir = localPaths(home).locks;
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${date}.lock`);
  const mine: LockFile = { ...currentProcess(), name, startedAt: new Date().toISOString() };
  // Two attempts: take the lock, or take over a dead run's lock once and take it then.
  return retry<() => Promise<void>>(async (attempt) => {
    // Written whole to a private file first, then hard-linked into place: link(2) fails with EEXIST when the lock
    // exists and is atomic, so a competing run never reads a half-written lock.
    const draft = `${path}.${process.pid}.${attempt}.tmp`;
    await writeFile(draft, JSON.stringify(mine));
    try {
      await link(draft, path);
      return verdict.done(async () => {
        await unlink(path).catch(() => undefined);
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      await unlink(draft).catch(() => undefined);
    }
    const text = await readFile(path, "utf8").catch(() => "{}");
    let held: Partial<LockFile>;
    try {
      held = JSON.parse(text) as Partial<LockFile>;
    } catch {
      // Locks are linked into place whole, so this one is broken: another run may still hold the date.
      throw new ExecutionAlreadyRunningError({
        date,
        reason: "lockUnreadable",
        lock: path,
      });
    }
    // A live pid whose start time differs from the lock's is another process that got the pid: the run is gone.
    if (held.pid !== undefined && held.host === mine.host && isLiveOwner(held)) {
      throw new ExecutionAlreadyRunningError({
        date,
        running: held.name,
        reason: "runningHere",
        pid: held.pid,
        startedAt: String(held.startedAt),
      });
    }
    if (held.host !== undefined && held.host !== mine.host) {
      throw new ExecutionAlreadyRunningError({
        date,
        running: held.name,
        reason: "otherHost",
        host: held.host,
        pid: held.pid,
        lock: path,
      });
    }
    if (held.name && held.pid !== undefined) await abandon(home, held.name, held.pid);
    await unlink(path).catch(() => undefined);
    if (attempt === 0) return verdict.retryIn(0);
    return verdict.fail(
      new ExecutionAlreadyRunningError({
        date,
        reason: "lockRace",
        lock: path,
      }),
    );
  });
}
