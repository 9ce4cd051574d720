/**
 * What a user wants to see after a run, derived from what this execution really did (its record and its history
 * events), never from the lake's current state: on failure the failed stage and error first, then what to do next;
 * the tables only when Transform ran in this execution; the checks only when Validate ran, with Validate's own result.
 */

import {
  NoRawDataError,
  SpotifyAuthError,
  SpotifyConnectionError,
  SpotifyQuotaExceededError,
  TRANSIENT_ERROR_NAMES,
  ValidationFailedError,
} from "@tunelake/core/errors";
import type { ExecutionDetails, HistoryEvent, Runs } from "@tunelake/core/ports";
import { STATE_NAMES as S } from "@tunelake/core/workflow/state-names";
import pc from "picocolors";
import { stdout } from "../context.ts";
import { parseObject } from "../progress.ts";
import { newTable } from "../table.ts";

export interface RunSummary {
  execution: string;
  status: string;
  date: string;
  failedStage?: string;
  /** The Transform entity (Map iteration) that failed, when the run failed in Transform. */
  failedEntity?: string;
  error?: string;
  cause?: string;
  /** What to do next when the run did not succeed. */
  next?: string;
  /** Stages that ran in this execution (any attempt), in order. */
  stages: string[];
  extract?: { requests: number; retries: number; rejects: number; dataSource: string };
  /** Tables this execution's Transform wrote; empty when Transform did not run. */
  tables: { table: string; rows: number; rejects: number }[];
  /** True when Validate produced results in this execution's last attempt. */
  validated: boolean;
  /** Validate's results (check name, failed rows), worst first; empty when Validate did not run. */
  checks: { check: string; failedRows: number }[];
  /** Faults injected into this run (`--inject-fault`); absent when none was. */
  faults?: string[];
}

interface TableRow {
  table: string;
  rows: number;
  rejects: number;
}

const STAGES = [S.Extract, S.Transform, S.StartCrawler, S.Validate] as const;

/** Athena's GetQueryResults rows (header first) as checks. */
function checksFromRows(rows: unknown): RunSummary["checks"] {
  if (!Array.isArray(rows)) return [];
  return rows.slice(1).flatMap((row) => {
    const data = (row as { Data?: { VarCharValue?: string }[] }).Data ?? [];
    const check = data[0]?.VarCharValue;
    const failed = Number(data[1]?.VarCharValue);
    return check && Number.isFinite(failed) ? [{ check, failedRows: failed }] : [];
  });
}

/** What the summary reads of an execution: what both backends describe, and the faults injected into it. */
export type SummarizedExecution = Pick<
  ExecutionDetails,
  "name" | "status" | "date" | "failedStage" | "error" | "cause"
> & {
  faults?: readonly string[];
  redriveCount?: number;
};

/**
 * The summary of an execution from what `Runs.describe` says of it and its history events, for either backend (pure,
 * so tests can feed it events). An attempt of a redrive only reruns the stages from the failed one on, so the latest
 * result of each stage wins.
 */
export function summarizeEvents(
  record: SummarizedExecution,
  events: readonly HistoryEvent[],
  /** Added to the commands the next step suggests (`--stage S` on a stage). */
  flag = "",
): RunSummary {
  const stages: string[] = [];
  const tables = new Map<string, TableRow[]>();
  const failedEntities: string[] = [];
  let extract: RunSummary["extract"];
  let validated = false;
  let checks: RunSummary["checks"] = [];
  for (const event of events) {
    const entered = event.stateEnteredEventDetails as { name?: string } | undefined;
    if (entered?.name && (STAGES as readonly string[]).includes(entered.name)) {
      if (!stages.includes(entered.name)) stages.push(entered.name);
      if (entered.name === S.Validate) {
        validated = false;
        checks = [];
      }
    }
    const exited = event.stateExitedEventDetails as { name?: string; output?: string } | undefined;
    if (!exited?.name) continue;
    const output = parseObject(exited.output);
    if (!output) continue;
    if (exited.name === S.Extract && !output.error && output.extract && typeof output.extract === "object") {
      const e = output.extract as Record<string, unknown>;
      extract = {
        requests: Number(e.requests ?? 0),
        retries: Number(e.retries ?? 0),
        rejects: Number(e.rejects ?? 0),
        dataSource: String(e.dataSource ?? ""),
      };
    } else if (exited.name === S.TransformEntity && typeof output.entity === "string") {
      const entity = output.entity;
      const at = failedEntities.indexOf(entity);
      if (at >= 0) failedEntities.splice(at, 1);
      if (output.error) {
        tables.delete(entity);
        failedEntities.push(entity);
      } else if (Array.isArray(output.tables)) {
        tables.set(
          entity,
          (output.tables as Partial<TableRow>[]).map((t) => ({
            table: String(t.table),
            rows: Number(t.rows ?? 0),
            rejects: Number(t.rejects ?? 0),
          })),
        );
      }
    } else if (exited.name === S.GetValidationResults && !output.error) {
      const validation = output.validation as { results?: { rows?: unknown } } | undefined;
      checks = checksFromRows(validation?.results?.rows);
      validated = true;
    }
  }
  const summary: RunSummary = {
    execution: record.name,
    status: record.status,
    date: record.date,
    stages,
    tables: [...tables.values()].flat().sort((a, b) => a.table.localeCompare(b.table)),
    validated,
    checks,
    ...(extract ? { extract } : {}),
    // A redrive runs without the first run's faults.
    ...(record.faults?.length && !record.redriveCount ? { faults: [...record.faults] } : {}),
  };
  if (record.status !== "SUCCEEDED") {
    if (record.failedStage) summary.failedStage = record.failedStage;
    const failedEntity = record.failedStage === S.Transform ? failedEntities.at(-1) : undefined;
    if (failedEntity) summary.failedEntity = failedEntity;
    if (record.error) summary.error = record.error;
    if (record.cause) summary.cause = record.cause;
    summary.next = nextStep(summary, record.redriveCount ? [] : (record.faults ?? []), flag);
  }
  return summary;
}

/** The summary of an execution of `runs`, locally or on a stage: {@link summarizeEvents} over its history. */
export async function summarize(runs: Runs, execution: SummarizedExecution, flag = ""): Promise<RunSummary> {
  return summarizeEvents(execution, await runs.history(execution.name), flag);
}

/** Errors a later attempt may not meet: Spotify or the store back, a crashed runtime, a timeout. */
const passes = (error: string): boolean =>
  TRANSIENT_ERROR_NAMES.includes(error) || /^(Lambda\.|Runtime\.|States\.Timeout)/.test(error);

/**
 * What to do after a failed run: `redrive` only where resuming at the failed stage can succeed; otherwise the
 * command that can (a new run, a reprocess), or what to fix first.
 */
export function nextStep(s: RunSummary, faults: readonly string[], flag = ""): string {
  const redrive = `npx tunelake redrive ${s.execution}${flag}`;
  const at = s.failedStage ?? "the failed stage";
  if (s.status === "ABORTED") return `it was stopped; resume it at ${at} with: ${redrive}`;
  if (s.status === "RUNNING") return `it is still running; follow it with: npx tunelake history ${s.execution}${flag}`;
  if (!s.failedStage || s.failedStage === "Prepare") {
    return `the input was invalid, so no stage ran: start a new run, e.g. npx tunelake run --date ${s.date}${flag}`;
  }
  // Injected faults apply to the first run only (the caller passes none for a redrive), so a redrive gets past them.
  if (faults.length > 0)
    return `the failure was injected (${faults.join(", ")}); a redrive runs without it: ${redrive}`;
  const error = s.error ?? "";
  if (passes(error)) return `this may pass on a later attempt: ${redrive}`;
  switch (error) {
    case ValidationFailedError.name:
      return `the data failed the checks above, and a redrive would check the same data again: look at the failing rows with npx tunelake query${flag}, fix the transform or the sources, then rebuild the date with: npx tunelake run --date ${s.date} --reprocess${flag}`;
    case SpotifyQuotaExceededError.name:
      return `Spotify's quota for this app is used up: once it resets (see the cause), resume with: ${redrive}`;
    case SpotifyAuthError.name:
      return `Spotify refused the credentials: fix SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET (or SPOTIFY_REFRESH_TOKEN), then: ${redrive}`;
    case SpotifyConnectionError.name:
      return `Spotify could not be reached at the URL in the error: check the network or the SPOTIFY_*_BASE_URL settings, then: ${redrive}`;
    case NoRawDataError.name:
      return `the date was never extracted, so a redrive cannot help: extract it with: npx tunelake run --date ${s.date}${flag}`;
    default:
      break;
  }
  // Runs recorded before NoRawDataError existed said so as a ConfigError.
  if (/No raw data for run date/.test(s.cause ?? "")) {
    return `the date was never extracted, so a redrive cannot help: extract it with: npx tunelake run --date ${s.date}${flag}`;
  }
  return `fix what the error says, then resume at ${at} with: ${redrive}`;
}

/**
 * Human-readable summary on stdout, made to fit one screen: what this execution produced (the extract, the rows per
 * table, `notes` such as the expected gaps, the checks), then the outcome last, where the eye lands: on a failure the
 * failed stage, the error and the one next step, then the status line.
 */
export function printSummary(
  s: RunSummary,
  write: (text: string) => void = (t) => stdout().write(t),
  notes: readonly string[] = [],
  /** Lines that need the user's action (e.g. a refresh token about to expire), in yellow under the notes. */
  warnings: readonly string[] = [],
): void {
  const ok = s.status === "SUCCEEDED";
  const out: string[] = [""];
  if (s.extract) {
    out.push(
      `extract: ${s.extract.requests} requests, ${s.extract.retries} retries, ${s.extract.rejects} rejects (${s.extract.dataSource} data)`,
    );
  }
  if (s.tables.length > 0) {
    const table = newTable(["table", "rows", "rejects"]);
    for (const t of s.tables) table.push([t.table, String(t.rows), String(t.rejects)]);
    out.push(table.toString());
  }
  for (const note of notes) out.push(pc.dim(note));
  for (const warning of warnings) out.push(pc.yellow(warning));
  if (s.validated) {
    const failed = s.checks.filter((c) => c.failedRows > 0);
    out.push(
      failed.length === 0
        ? pc.green(`all ${s.checks.length} data-quality checks passed`)
        : pc.red(
            `${failed.length} of ${s.checks.length} checks failed: ${failed.map((c) => `${c.check} (${c.failedRows} rows)`).join(", ")}`,
          ),
    );
  }
  if (ok && s.faults?.length) {
    out.push(pc.yellow(`injected: ${s.faults.join(", ")} (--inject-fault); this run got past it`));
  }
  if (!ok) {
    const entity = s.failedEntity ? ` (entity ${s.failedEntity})` : "";
    out.push(`${pc.red("✗")} failed stage: ${s.failedStage ?? "?"}${entity}`);
    if (s.error) out.push(`error: ${s.error}`);
    if (s.cause) out.push(`cause: ${s.cause}`);
    if (s.next) out.push(`next: ${s.next}`);
  }
  out.push(`${ok ? pc.green("SUCCEEDED") : pc.red(s.status)}  execution ${pc.bold(s.execution)}  date ${s.date}`);
  write(`${out.join("\n")}\n`);
}
