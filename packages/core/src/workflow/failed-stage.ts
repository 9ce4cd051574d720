/**
 * Where a failed execution should resume. After a caught error the definition passes the state, with
 * `failure: { stage, Error, Cause }`, to NotifyFailure and then Failed; an execution that timed out, was aborted or
 * failed outside a Catch has no such state, so the last stage it entered is used instead.
 */
import { RESUMABLE_STAGES, type ResumableStage, STATE_NAMES as S, stageOfState } from "./state-names.ts";

/** The history fields read here (GetExecutionHistory's event shape). */
export interface StateEnteredEvent {
  type?: string;
  stateEnteredEventDetails?: { name?: string; input?: string };
}

export interface FailedStage {
  /** The stage to resume, or `Prepare` when the input itself was invalid (not resumable). */
  stage: ResumableStage | "Prepare";
  /** The run date the state held, when known. */
  date?: string;
  /** `extract` or `reprocess`, when known. */
  mode?: string;
  /** The caught error's name, when a Catch recorded the failure (`failure.Error`). */
  error?: string;
}

function parseState(input: string | undefined): Record<string, unknown> | undefined {
  if (!input) return undefined;
  try {
    const value = JSON.parse(input) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Reads the failed stage from an execution's history (oldest event first), or undefined if nothing says. */
export function failedStageFromHistory(events: readonly StateEnteredEvent[]): FailedStage | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const details = events[i]?.stateEnteredEventDetails;
    if (details?.name !== S.NotifyFailure && details?.name !== S.Failed) continue;
    const state = parseState(details.input);
    const failure = state?.failure as { stage?: unknown; Error?: unknown } | undefined;
    const stage = asString(failure?.stage);
    if (stage && (stage === "Prepare" || (RESUMABLE_STAGES as readonly string[]).includes(stage))) {
      const error = asString(failure?.Error);
      return {
        stage: stage as FailedStage["stage"],
        date: asString(state?.date),
        mode: asString(state?.mode),
        ...(error ? { error } : {}),
      };
    }
  }
  let date: string | undefined;
  let mode: string | undefined;
  for (const event of events) {
    const state = parseState(event.stateEnteredEventDetails?.input);
    date = asString(state?.date) ?? date;
    mode = asString(state?.mode) ?? mode;
  }
  for (let i = events.length - 1; i >= 0; i--) {
    const name = events[i]?.stateEnteredEventDetails?.name;
    const stage = name ? stageOfState(name) : undefined;
    if (stage) return { stage, date, mode };
  }
  return undefined;
}
