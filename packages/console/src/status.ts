/**
 * What happened to each state of the definition in one execution, read from its AWS-shaped history (the events
 * `Runs.history` returns in both backends). The console colours the graph with it.
 */
import type { HistoryEvent } from "@tunelake/core/ports";
import type { StateMachineDefinition } from "@tunelake/core/workflow/state-names";

export type StateOutcome = "succeeded" | "failed" | "caught" | "retried" | "not-reached" | "running";

export interface StateStatus {
  name: string;
  type: string;
  outcome: StateOutcome;
  /** Task attempts after the first one (Retry). */
  retries: number;
  /** Times the state was entered (a Map's inner states once per iteration, a poll loop once per poll). */
  entered: number;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  /** First entry to last exit, in milliseconds, when the state was left. */
  durationMs?: number;
  enteredAt?: string;
  exitedAt?: string;
}

/** Every state of a definition, Parallel branches and Map item processors included, with its type. */
export function definitionStates(definition: StateMachineDefinition): Map<string, string> {
  const states = new Map<string, string>();
  const walk = (machine: { States?: Record<string, { Type: string; [k: string]: unknown }> }) => {
    for (const [name, state] of Object.entries(machine.States ?? {})) {
      states.set(name, state.Type);
      for (const branch of (state.Branches as (typeof machine)[] | undefined) ?? []) walk(branch);
      const processor = (state.ItemProcessor ?? state.Iterator) as typeof machine | undefined;
      if (processor) walk(processor);
    }
  };
  walk(definition);
  return states;
}

const parse = (text: unknown): unknown => {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const details = (event: HistoryEvent, key: string): Record<string, unknown> =>
  (event[key] as Record<string, unknown> | undefined) ?? {};

const failureOf = (value: unknown): Record<string, unknown> | undefined => {
  if (!value || typeof value !== "object") return undefined;
  const failure = (value as Record<string, unknown>).failure;
  return failure && typeof failure === "object" ? (failure as Record<string, unknown>) : undefined;
};

/** The failure a state added to the data (`$.failure`, which NotifyFailure and Failed report), if it added one. */
function failureRecorded(input: unknown, output: unknown): { error: string; cause: string } | undefined {
  const after = failureOf(output);
  if (!after || failureOf(input)) return undefined;
  return { error: String(after.Error ?? ""), cause: String(after.Cause ?? "") };
}

interface Tracking extends StateStatus {
  /** Entries not yet exited. */
  open: number;
  lastTaskFailed: boolean;
  attemptsThisEntry: number;
  firstEnteredMs?: number;
  /** Entered with a recorded failure in its input (NotifyFailure): part of the failure route a redrive replaces. */
  afterFailure: boolean;
}

/**
 * The outcome of every state of `definition` in one execution's history (oldest event first):
 * - succeeded: left normally; retried: left normally after a Task retry (`retries` says how many);
 * - caught: its error was caught (a Catch led on); failed: its error ended the execution, it recorded the run's
 *   failure (`$.failure`, what NotifyFailure and the Fail state report), or it is a Fail state reached;
 * - running: entered and not left while the execution goes on; not-reached: never entered.
 * After a redrive (ExecutionRedriven), what failed before, and the failure route after it (states entered with
 * `$.failure` in their input, such as NotifyFailure), count as not reached until the redrive enters them again.
 */
export function stateStatuses(definition: StateMachineDefinition, history: readonly HistoryEvent[]): StateStatus[] {
  const types = definitionStates(definition);
  const byName = new Map<string, Tracking>();
  for (const [name, type] of types) {
    byName.set(name, {
      name,
      type,
      outcome: "not-reached",
      retries: 0,
      entered: 0,
      open: 0,
      lastTaskFailed: false,
      attemptsThisEntry: 0,
      afterFailure: false,
    });
  }
  /** The Task states entered and not yet left, newest last: task events name no state. */
  const openTasks: Tracking[] = [];

  for (const event of history) {
    const type = event.type;
    if (type === "ExecutionRedriven") {
      openTasks.length = 0;
      for (const state of byName.values()) {
        if (["failed", "caught", "running"].includes(state.outcome) || state.afterFailure) {
          Object.assign(state, { outcome: "not-reached", open: 0, lastTaskFailed: false, afterFailure: false });
          delete state.error;
          delete state.cause;
        }
      }
      continue;
    }
    if (type.endsWith("StateEntered")) {
      const d = details(event, "stateEnteredEventDetails");
      const state = byName.get(String(d.name));
      if (!state) continue;
      state.entered += 1;
      state.open += 1;
      state.outcome = "running";
      state.lastTaskFailed = false;
      state.attemptsThisEntry = 0;
      state.input = parse(d.input);
      state.afterFailure = failureOf(state.input) !== undefined;
      state.enteredAt ??= event.timestamp;
      state.firstEnteredMs ??= Date.parse(event.timestamp);
      if (state.type === "Task") openTasks.push(state);
      if (state.type === "Fail") {
        state.outcome = "failed";
        state.open -= 1;
      }
      continue;
    }
    if (type === "TaskScheduled") {
      const state = openTasks.at(-1);
      if (!state) continue;
      state.attemptsThisEntry += 1;
      if (state.attemptsThisEntry > 1) state.retries += 1;
      state.lastTaskFailed = false;
      continue;
    }
    if (type === "TaskFailed" || type === "TaskTimedOut") {
      const state = openTasks.at(-1);
      if (!state) continue;
      const d = details(event, type === "TaskFailed" ? "taskFailedEventDetails" : "taskTimedOutEventDetails");
      state.lastTaskFailed = true;
      state.error = String(d.error ?? "");
      state.cause = String(d.cause ?? "");
      continue;
    }
    if (type === "MapStateFailed" || type === "ParallelStateFailed") {
      continue;
    }
    if (type.endsWith("StateExited")) {
      const d = details(event, "stateExitedEventDetails");
      const state = byName.get(String(d.name));
      if (!state) continue;
      state.open = Math.max(0, state.open - 1);
      state.output = parse(d.output);
      state.exitedAt = event.timestamp;
      if (state.firstEnteredMs !== undefined) state.durationMs = Date.parse(event.timestamp) - state.firstEnteredMs;
      if (state.type === "Task") {
        const at = openTasks.lastIndexOf(state);
        if (at >= 0) openTasks.splice(at, 1);
      }
      const recorded = failureRecorded(state.input, state.output);
      if (recorded) {
        // The state that wrote `$.failure` (a Catch's recorder, or a Choice's verdict such as CrawlerFailed) is
        // where the run's failure was decided, even though the state itself ran fine.
        state.outcome = "failed";
        state.error = recorded.error;
        state.cause = recorded.cause;
      } else if (state.lastTaskFailed) state.outcome = "caught";
      else if (state.outcome !== "caught" && state.outcome !== "failed") {
        state.outcome = state.retries > 0 ? "retried" : "succeeded";
      }
      if (state.open > 0) state.outcome = "running";
      continue;
    }
    if (type === "ExecutionFailed" || type === "ExecutionAborted" || type === "ExecutionTimedOut") {
      const d = details(event, "executionFailedEventDetails");
      for (const state of byName.values()) {
        if (state.outcome !== "running") continue;
        state.open = 0;
        state.outcome = "failed";
        if (type === "ExecutionFailed" && !state.error && state.type !== "Task") {
          state.error = String(d.error ?? "");
          state.cause = String(d.cause ?? "");
        }
        if (type !== "ExecutionFailed") state.error ??= type === "ExecutionAborted" ? "Aborted" : "TimedOut";
      }
    }
  }
  return [...byName.values()].map(
    ({ open, lastTaskFailed, attemptsThisEntry, firstEnteredMs, afterFailure, ...status }) => status,
  );
}
