/**
 * Every failure notifies exactly once: the definition runs in the Step Functions interpreter the local engine uses
 * (aws-local-stepfunctions), with Task handlers that fail the way AWS would, and the execution's end is turned into the
 * "Step Functions Execution Status Change" event EventBridge receives and matched against the failure rule's pattern.
 * Notifications = NotifyFailure publishes that went through + rule matches.
 */
import { LOCAL_SUBSTITUTIONS } from "@tunelake/local/engine";
import { ExecutionAbortedError, ExecutionError, StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { checkNames } from "../../packages/core/src/checks/checks-sql.ts";
import { renderDefinition, STATE_NAMES as S } from "../../packages/core/src/workflow/definition.ts";
import { failureEventPattern } from "../lake-alerts.ts";
import { eventBridgePattern, matchesPattern } from "./event-pattern.ts";

const MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:test-tunelake-pipeline";
const PATTERN = eventBridgePattern(failureEventPattern(MACHINE_ARN) as Record<string, unknown>);

const named = (name: string, message = name) => Object.assign(new Error(message), { name });
const rows = (failed: (n: number) => string, count = checkNames().length) => [
  { Data: [{ VarCharValue: "check_name" }, { VarCharValue: "failed_rows" }] },
  ...Array.from({ length: count }, (_, i) => ({ Data: [{ VarCharValue: `check_${i}` }, { VarCharValue: failed(i) }] })),
];

type Handlers = Record<string, (input: unknown) => Promise<unknown>>;
interface Scenario {
  handlers?: Partial<Handlers>;
  /** Abort the execution once this Task starts. */
  abortAt?: string;
}

/** Handlers of a run where everything succeeds. */
function happyHandlers(): Handlers {
  return {
    [S.Extract]: async () => ({
      Payload: {
        done: true,
        waitSeconds: 0,
        manifestKey: "_manifests/dt=2026-11-21/manifest.json",
        objects: {},
        requests: 1,
        retries: 0,
        rejects: 0,
        dataSource: "sample",
        accessProfile: "development",
      },
    }),
    [S.TransformEntity]: async (input) => ({
      Payload: { entity: (input as { Payload: { entity: string } }).Payload?.entity ?? "x", rows: 1, tables: [] },
    }),
    [S.StartCrawler]: async () => ({}),
    [S.GetCrawler]: async () => ({ Crawler: { Name: "crawler", State: "READY", LastCrawl: { Status: "SUCCEEDED" } } }),
    [S.Validate]: async () => ({ QueryExecution: { QueryExecutionId: "q-1", Status: { State: "SUCCEEDED" } } }),
    [S.GetValidationResults]: async () => ({ ResultSet: { Rows: rows(() => "0") } }),
  };
}

/** Runs the definition; returns the publishes NotifyFailure made and the EventBridge event of the execution's end. */
async function run(scenario: Scenario): Promise<{ published: number; event: Record<string, unknown> }> {
  let published = 0;
  const base = happyHandlers();
  const handlers: Handlers = { ...base, ...scenario.handlers } as Handlers;
  const machine = new StateMachine(renderDefinition(LOCAL_SUBSTITUTIONS, { crawlerPollSeconds: 1 }) as never);
  let abort: () => void = () => undefined;
  const wrapped = Object.fromEntries(
    [...Object.keys(handlers), S.NotifyFailure].map((name) => [
      name,
      async (input: unknown) => {
        if (scenario.abortAt === name) {
          abort();
          return new Promise(() => undefined);
        }
        if (name === S.NotifyFailure) {
          const result = await (scenario.handlers?.[S.NotifyFailure] ?? (async () => ({ MessageId: "m-1" })))(input);
          published++;
          return result;
        }
        return handlers[name]!(input);
      },
    ]),
  );
  const execution = machine.run(
    { date: "2026-11-21" } as never,
    {
      context: { Execution: { Id: `${MACHINE_ARN}:x`, Name: "2026-11-21" } },
      overrides: {
        taskResourceLocalHandlers: wrapped as never,
        waitTimeOverrides: { [S.WaitForCrawler]: 0, [S.WaitForSpotify]: 0 },
        retryIntervalOverrides: Object.fromEntries(Object.keys(wrapped).map((name) => [name, 0])),
      },
    } as never,
  );
  abort = () => execution.abort();
  let status = "SUCCEEDED";
  let error: string | undefined;
  try {
    await execution.result;
  } catch (thrown) {
    if (thrown instanceof ExecutionAbortedError) status = "ABORTED";
    else {
      status = "FAILED";
      const inner = thrown instanceof ExecutionError ? (thrown.cause as Error | undefined) : (thrown as Error);
      error = inner?.name ?? "States.Runtime";
    }
  }
  const detail: Record<string, unknown> = { status, stateMachineArn: MACHINE_ARN, name: "2026-11-21" };
  if (error !== undefined) detail.error = error;
  return {
    published,
    event: { source: "aws.states", "detail-type": "Step Functions Execution Status Change", detail },
  };
}

const notifications = ({ published, event }: { published: number; event: Record<string, unknown> }) =>
  published + (matchesPattern(PATTERN, event) ? 1 : 0);

describe("failure notifications", () => {
  it("sends none for a run that succeeds", async () => {
    const result = await run({});
    expect(result.event).toMatchObject({ detail: { status: "SUCCEEDED" } });
    expect(notifications(result)).toBe(0);
  });

  it.each([
    [
      "a handler's terminal error (Extract)",
      { [S.Extract]: async () => Promise.reject(named("SpotifyQuotaExceededError")) },
      "Notified.SpotifyQuotaExceededError",
    ],
    [
      "a failed data-quality check",
      { [S.GetValidationResults]: async () => ({ ResultSet: { Rows: rows((i) => (i === 0 ? "3" : "0")) } }) },
      "Notified.ValidationFailedError",
    ],
    [
      "a checks query that returned no rows",
      { [S.GetValidationResults]: async () => ({ ResultSet: { Rows: rows(() => "0", 0) } }) },
      "Notified.ValidationFailedError",
    ],
  ])("notifies a caught failure once, through NotifyFailure: %s", async (_label, handlers, raised) => {
    const result = await run({ handlers });

    expect(result.event).toMatchObject({ detail: { status: "FAILED", error: raised } });
    expect(result.published).toBe(1);
    expect(matchesPattern(PATTERN, result.event)).toBe(false);
    expect(notifications(result)).toBe(1);
  });

  it("notifies a caught failure once, through the rule, when NotifyFailure could not publish", async () => {
    const result = await run({
      handlers: {
        [S.Extract]: async () => Promise.reject(named("SpotifyQuotaExceededError")),
        [S.NotifyFailure]: async () => Promise.reject(named("SNS.AuthorizationErrorException")),
      },
    });

    expect(result.event).toMatchObject({ detail: { status: "FAILED", error: "SpotifyQuotaExceededError" } });
    expect(result.published).toBe(0);
    expect(notifications(result)).toBe(1);
  });

  it("notifies an uncaught failure (States.Runtime outside any Catch) once, through the rule", async () => {
    // A results row without its Data: ValidationFailed's States.Format cannot read it, a runtime error no Catch sees.
    const broken = rows((i) => (i === 0 ? "3" : "0"));
    broken[2] = {} as never;
    const result = await run({ handlers: { [S.GetValidationResults]: async () => ({ ResultSet: { Rows: broken } }) } });

    expect(result.published).toBe(0);
    expect(result.event).toMatchObject({ detail: { status: "FAILED" } });
    expect(String((result.event.detail as { error: string }).error)).not.toMatch(/^Notified\./);
    expect(notifications(result)).toBe(1);
  });

  it("notifies an aborted execution once, through the rule", async () => {
    const result = await run({ abortAt: S.StartCrawler });

    expect(result.event).toMatchObject({ detail: { status: "ABORTED" } });
    expect(notifications(result)).toBe(1);
  });

  it.each([
    ["TIMED_OUT", "States.Timeout"],
    ["FAILED", "States.DataLimitExceeded"],
    ["FAILED", "States.Runtime"],
  ])("notifies an execution that ends %s (%s), which no state sees, once through the rule", (status, error) => {
    // No state runs after these: the execution's own event is the only signal.
    const event = {
      source: "aws.states",
      "detail-type": "Step Functions Execution Status Change",
      detail: { status, error, stateMachineArn: MACHINE_ARN },
    };
    expect(matchesPattern(PATTERN, event)).toBe(true);
  });

  it("ignores other state machines and the other statuses", () => {
    const event = (detail: Record<string, unknown>) => ({
      source: "aws.states",
      "detail-type": "Step Functions Execution Status Change",
      detail: { stateMachineArn: MACHINE_ARN, ...detail },
    });
    expect(matchesPattern(PATTERN, event({ status: "RUNNING" }))).toBe(false);
    expect(matchesPattern(PATTERN, event({ status: "SUCCEEDED" }))).toBe(false);
    expect(matchesPattern(PATTERN, event({ status: "FAILED", stateMachineArn: `${MACHINE_ARN}-other` }))).toBe(false);
    // A FAILED event without an error field still alerts: a second notification rather than none.
    expect(matchesPattern(PATTERN, event({ status: "FAILED" }))).toBe(true);
  });

  /**
   * The event as AWS's Step Functions guide shows it ("EventBridge (CloudWatch Events) for Step Functions execution
   * status changes", the Execution Failed example) and as the EventBridge schema of aws.states lists its fields:
   * executionArn, stateMachineArn, name, status, startDate, stopDate, input, output. No `error`, no `cause`.
   */
  const documented = (result: { event: Record<string, unknown> }) => {
    const { status, stateMachineArn, name } = result.event.detail as Record<string, unknown>;
    return {
      source: "aws.states",
      "detail-type": "Step Functions Execution Status Change",
      detail: {
        executionArn: `${MACHINE_ARN.replace(":stateMachine:", ":execution:")}:${String(name)}`,
        stateMachineArn,
        name,
        status,
        startDate: 1_763_708_400_000,
        stopDate: 1_763_708_460_000,
        input: "{}",
        output: null,
      },
    };
  };

  it.each([
    ["an uncaught failure (States.Runtime) notifies once", "uncaught", 1],
    ["an aborted execution notifies once", "aborted", 1],
    ["a caught failure notifies twice (NotifyFailure, then the rule)", "caught", 2],
  ] as const)("with the event as AWS documents it (no error field): %s", async (_l, kind, count) => {
    // Prepare: the same three ends as above.
    const broken = rows((i) => (i === 0 ? "3" : "0"));
    broken[2] = {} as never;
    const scenario: Scenario =
      kind === "uncaught"
        ? { handlers: { [S.GetValidationResults]: async () => ({ ResultSet: { Rows: broken } }) } }
        : kind === "aborted"
          ? { abortAt: S.StartCrawler }
          : { handlers: { [S.Extract]: async () => Promise.reject(named("SpotifyQuotaExceededError")) } };

    // Act
    const result = await run(scenario);
    const event = documented(result);

    // Assess: every failed end alerts; the rule cannot tell a caught failure (the documented event carries nothing
    // that says NotifyFailure published), so a caught one costs a second, shorter message (docs/deploy.md, "Alerts").
    expect(matchesPattern(PATTERN, event)).toBe(true);
    expect(result.published + (matchesPattern(PATTERN, event) ? 1 : 0)).toBe(count);
  });
});
