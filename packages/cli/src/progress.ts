/**
 * Live progress while a local execution runs, from the execution's history events (the same events `tunelake history`
 * shows): one line as each stage starts and one as each task ends, with a cross where a task failed (for a Map
 * iteration, the entity that failed, read from the state's own output) and for the states that record a failure.
 * The plumbing states (Pass, Choice, Wait) are left out: `tunelake history` has them all.
 */
import { STATE_NAMES as S } from "@tunelake/core/workflow/state-names";
import pc from "picocolors";
import { stderr } from "./context.ts";
import { type ExtractProgress, startExtractProgress } from "./extract-progress.ts";

interface EventLike {
  type: string;
  stateEnteredEventDetails?: { name?: string; input?: string };
  stateExitedEventDetails?: { name?: string; output?: string };
  [key: string]: unknown;
}

/** Stages announced when they start (the others show when they end). */
const ANNOUNCED: ReadonlySet<string> = new Set([S.Extract, S.Transform, S.StartCrawler, S.Validate]);

/** States that only exist to record a failure: shown with a cross and the error. */
const FAILURE_STATES: ReadonlySet<string> = new Set([
  S.InvalidInput,
  S.ExtractFailed,
  S.TransformFailed,
  S.StartCrawlerFailed,
  S.CrawlerFailed,
  S.CrawlerPollLimitReached,
  S.ValidateFailed,
  S.ValidationFailed,
]);

/** Poll states: consecutive successful polls are one line, with the count, when the polling ends. */
const POLLS: ReadonlySet<string> = new Set([S.GetCrawler]);

/** A state's input or output (JSON text in the history events) as an object; undefined when it is not one. */
export function parseObject(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function failureOf(event: EventLike): string | undefined {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith("FailedEventDetails") && value && typeof value === "object") {
      const { error, cause } = value as { error?: string; cause?: string };
      return [error, cause].filter(Boolean).join(": ");
    }
  }
  return undefined;
}

const oneLine = (text: string, max = 200) => {
  const line = text.replace(/\s+/g, " ");
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
};

/**
 * Returns an `onEvent` callback that writes progress lines to `write` (stderr by default, so --json stays clean).
 * `extract.planned` is asked when Extract starts (a local run knows its config by then): undefined, no progress bar.
 */
export function createProgress(
  writeLine: (line: string) => void = (l) => stderr().write(l),
  extract: { planned: () => number | undefined; tty: boolean } | undefined = undefined,
): (event: unknown) => void {
  // Successful polls of one state in a row, written as one line before the next line (or the execution's end).
  let polls: { name: string; count: number; since: number | undefined; until: number } | undefined;
  const flushPolls = () => {
    if (!polls) return;
    const { name, count, since, until } = polls;
    polls = undefined;
    const took = since === undefined ? "" : pc.dim(` ${((until - since) / 1000).toFixed(1)}s`);
    writeLine(`${pc.green("✓")} ${name}${took}${count > 1 ? pc.dim(` (${count} polls)`) : ""}\n`);
  };
  const write = (line: string) => {
    flushPolls();
    writeLine(line);
  };
  let extractBar: ExtractProgress | undefined;
  // Start times by state and Map item (`TransformEntity#tracks`): iterations run concurrently.
  const started = new Map<string, number>();
  const keyOf = (name: string, entity: unknown) => `${name}#${typeof entity === "string" ? entity : ""}`;
  const label = (name: string, entity: unknown) => (typeof entity === "string" ? `${name} ${pc.dim(entity)}` : name);
  // Extract slices of this execution so far: a second one is a continuation, said so on its lines.
  let extractSlices = 0;
  const extractLabel = (more: boolean) => {
    if (extractSlices <= 1 && !more) return S.Extract;
    return `${S.Extract} ${pc.dim(`(slice ${extractSlices}${more ? ", more to come" : ""})`)}`;
  };
  return (raw) => {
    const event = raw as EventLike;
    // The event's own time, as the history records it: when this process was busy (a SQL parse of ~1.5 s blocks the
    // event loop), the callback runs late, and times taken at the callback would disagree with `tunelake history`.
    const stamped = typeof event.timestamp === "string" ? Date.parse(event.timestamp) : Number.NaN;
    const now = Number.isFinite(stamped) ? stamped : Date.now();
    if (event.type.endsWith("StateEntered")) {
      const name = event.stateEnteredEventDetails?.name ?? "?";
      const input = parseObject(event.stateEnteredEventDetails?.input);
      if (FAILURE_STATES.has(name)) {
        const failure = input?.error as { Error?: string } | undefined;
        write(`${pc.red("✗")} ${name}${failure?.Error ? `: ${failure.Error}` : ""}\n`);
        return;
      }
      if (name === S.TransformEntityFailed) {
        write(`${pc.red("✗")} ${label(S.TransformEntity, input?.entity)} failed\n`);
        return;
      }
      started.set(keyOf(name, input?.entity), now);
      if (name === S.Extract) extractSlices++;
      if (ANNOUNCED.has(name)) write(`${pc.cyan("▸")} ${name === S.Extract ? extractLabel(false) : name}\n`);
      const planned = name === S.Extract ? extract?.planned() : undefined;
      if (planned !== undefined && extract) extractBar = startExtractProgress({ planned, tty: extract.tty, write });
    } else if (event.type === "TaskStateExited" || event.type === "MapStateExited") {
      const name = event.stateExitedEventDetails?.name ?? "?";
      const output = parseObject(event.stateExitedEventDetails?.output);
      const entity = name === S.TransformEntity ? output?.entity : undefined;
      const key = keyOf(name, entity);
      if (name === S.Extract) {
        extractBar?.stop();
        extractBar = undefined;
      }
      const since = started.get(key);
      started.delete(key);
      const took = since === undefined ? "" : pc.dim(` ${((now - since) / 1000).toFixed(1)}s`);
      if (name === S.NotifyFailure) {
        write(`${pc.yellow("✉")} ${name}${took}\n`);
        return;
      }
      // A caught error is kept at `$.error` of the state's output (the definition's Catch ResultPath).
      const failed = output !== undefined && "error" in output;
      if (!failed && POLLS.has(name)) {
        if (polls?.name !== name) {
          flushPolls();
          polls = { name, count: 0, since, until: now };
        }
        polls.count++;
        polls.until = now;
        return;
      }
      const more = name === S.Extract && (output?.extract as { done?: unknown } | undefined)?.done === false;
      const shown = name === S.Extract ? extractLabel(more) : label(name, entity);
      write(`${failed ? pc.red("✗") : pc.green("✓")} ${shown}${took}\n`);
    } else if (event.type.startsWith("Execution") && event.type !== "ExecutionStarted") {
      // The execution ended (or was redriven): nothing may stay held back.
      flushPolls();
      if (event.type === "ExecutionRedriven") writeLine(`${pc.yellow("↻")} redriven\n`);
    } else if (event.type === "TaskFailed") {
      // A failed attempt: retried, or caught (then the state ends with a cross). The summary has the final error.
      const failure = failureOf(event);
      if (failure) write(`  ${pc.red("attempt failed")}: ${oneLine(failure)}\n`);
    }
  };
}
