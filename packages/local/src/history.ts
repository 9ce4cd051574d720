/**
 * Turns aws-local-stepfunctions' event logs into events shaped like Step Functions' GetExecutionHistory, so
 * `tunelake history` reads like the console and tools written for AWS read local runs too.
 */
import { redactSecrets } from "@tunelake/core/redact";
import type { StateDefinition, StateMachineDefinition } from "@tunelake/core/workflow/state-names";
import type { HistoryEvent } from "./executions.ts";

/** The fields of the interpreter's events we read (its own type union is not exported). */
export interface InterpreterEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string };
  index?: number;
  Error?: string;
  Cause?: unknown;
}

interface StateInfo {
  type: string;
  itemsPath?: string;
  resourceType?: string;
  resource?: string;
}

/** Every state by name, including the states inside Map item processors. */
function indexStates(definition: { States: Record<string, StateDefinition> }, out = new Map<string, StateInfo>()) {
  for (const [name, state] of Object.entries(definition.States)) {
    const info: StateInfo = { type: state.Type };
    if (typeof state.ItemsPath === "string") info.itemsPath = state.ItemsPath;
    if (state.Type === "Task" && typeof state.Resource === "string") {
      // arn:aws:states:::aws-sdk:glue:startCrawler -> resourceType aws-sdk:glue, resource startCrawler (as AWS logs it)
      const spec = state.Resource.replace(/^arn:aws:states:::/, "");
      const cut = spec.lastIndexOf(":");
      info.resourceType = cut > 0 ? spec.slice(0, cut) : spec;
      info.resource = cut > 0 ? spec.slice(cut + 1) : spec;
    }
    out.set(name, info);
    const processor = (state.ItemProcessor ?? state.Iterator) as
      | { States: Record<string, StateDefinition> }
      | undefined;
    if (processor) indexStates(processor, out);
  }
  return out;
}

/** How many items a Map state iterates, for a plain `$.field` ItemsPath (the only kind the definition uses). */
function itemCount(info: StateInfo, input: unknown): number {
  const field = info.itemsPath?.match(/^\$\.([A-Za-z_][A-Za-z0-9_]*)$/)?.[1];
  const items = field && input && typeof input === "object" ? (input as Record<string, unknown>)[field] : input;
  return Array.isArray(items) ? items.length : 0;
}

const json = (value: unknown) => JSON.stringify(value ?? null);
const payload = (value: unknown) => ({ truncated: false, size: Buffer.byteLength(json(value)) });

/** A cause as the text Step Functions shows. */
export function causeText(cause: unknown): string {
  // The seam where every error the engine records (execution record, history, outbox) passes: redacted here.
  if (typeof cause === "string") return redactSecrets(cause);
  if (cause instanceof Error) return redactSecrets(cause.message);
  return cause === undefined ? "" : redactSecrets(JSON.stringify(cause));
}

/** The role the local engine's executions run as (a fake ARN: nothing assumes it). */
export const LOCAL_ROLE_ARN = "arn:aws:iam::000000000000:role/tunelake-local";

export interface HistoryRecorderOptions {
  definition: StateMachineDefinition;
  /** Events already in the history (a redrive appends). */
  previous: readonly HistoryEvent[];
  /** Set on a redrive: the interpreter's ExecutionStarted becomes ExecutionRedriven. */
  redriveCount?: number;
}

/** Converts interpreter events one by one, numbering them after the events already recorded. */
export function createHistoryRecorder(options: HistoryRecorderOptions) {
  const states = indexStates(options.definition);
  const events: HistoryEvent[] = [...options.previous];
  const failedInFlight = new Set<string>();
  let lastId = events.at(-1)?.id ?? 0;

  const push = (timestamp: number, type: string, details: Record<string, unknown> = {}): HistoryEvent => {
    const event: HistoryEvent = {
      id: lastId + 1,
      previousEventId: lastId,
      timestamp: new Date(timestamp).toISOString(),
      type,
      ...details,
    };
    lastId = event.id;
    events.push(event);
    return event;
  };

  const taskDetails = (info: StateInfo) => ({ resourceType: info.resourceType ?? "", resource: info.resource ?? "" });

  const scheduleTask = (at: number, info: StateInfo) => {
    push(at, "TaskScheduled", { taskScheduledEventDetails: { ...taskDetails(info), region: "local" } });
    push(at, "TaskStarted", { taskStartedEventDetails: taskDetails(info) });
  };

  /** Converts one interpreter event; returns the history events it produced. */
  function record(event: InterpreterEvent): HistoryEvent[] {
    const before = events.length;
    const at = event.timestamp;
    const stateName = event.state?.name ?? "";
    const info = states.get(stateName) ?? { type: event.state?.type ?? "Pass" };
    const key = `${stateName}#${event.index ?? ""}`;
    switch (event.type) {
      case "ExecutionStarted":
        if (options.redriveCount !== undefined) {
          push(at, "ExecutionRedriven", { executionRedrivenEventDetails: { redriveCount: options.redriveCount } });
        } else {
          push(at, "ExecutionStarted", {
            executionStartedEventDetails: {
              input: json(event.input),
              inputDetails: payload(event.input),
              roleArn: LOCAL_ROLE_ARN,
            },
          });
        }
        break;
      case "StateEntered":
        push(at, `${info.type}StateEntered`, {
          stateEnteredEventDetails: {
            name: stateName,
            input: json(event.state?.input),
            inputDetails: payload(event.state?.input),
          },
        });
        if (info.type === "Task") scheduleTask(at, info);
        if (info.type === "Map") {
          push(at, "MapStateStarted", { mapStateStartedEventDetails: { length: itemCount(info, event.state?.input) } });
        }
        break;
      case "StateRetried":
        failedInFlight.delete(key);
        if (info.type === "Task") scheduleTask(at, info);
        break;
      case "StateFailed":
        failedInFlight.add(key);
        if (info.type === "Task") {
          push(at, "TaskFailed", {
            taskFailedEventDetails: { ...taskDetails(info), error: event.Error ?? "", cause: causeText(event.Cause) },
          });
        } else if (info.type === "Map") {
          push(at, "MapStateFailed", {});
        }
        break;
      case "StateExited": {
        const failed = failedInFlight.delete(key);
        if (info.type === "Task" && !failed) {
          push(at, "TaskSucceeded", {
            taskSucceededEventDetails: {
              ...taskDetails(info),
              output: json(event.state?.output),
              outputDetails: payload(event.state?.output),
            },
          });
        }
        if (info.type === "Map" && !failed) push(at, "MapStateSucceeded", {});
        push(at, `${info.type}StateExited`, {
          stateExitedEventDetails: {
            name: stateName,
            output: json(event.state?.output),
            outputDetails: payload(event.state?.output),
          },
        });
        break;
      }
      case "MapIterationStarted":
      case "MapIterationSucceeded":
      case "MapIterationFailed": {
        const detailsKey = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
        push(at, event.type, { [detailsKey]: { name: event.parentState?.name ?? "", index: event.index ?? 0 } });
        break;
      }
      case "ExecutionSucceeded":
        push(at, "ExecutionSucceeded", {
          executionSucceededEventDetails: { output: json(event.output), outputDetails: payload(event.output) },
        });
        break;
      case "ExecutionFailed":
        push(at, "ExecutionFailed", {
          executionFailedEventDetails: { error: event.Error ?? "States.Runtime", cause: causeText(event.Cause) },
        });
        break;
      case "ExecutionAborted":
      case "ExecutionTimeout":
        push(at, event.type === "ExecutionAborted" ? "ExecutionAborted" : "ExecutionTimedOut", {});
        break;
      default:
        break;
    }
    return events.slice(before);
  }

  return { record, events: () => events as readonly HistoryEvent[] };
}
