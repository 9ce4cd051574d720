/**
 * Every failure notifies exactly once (docs/deploy.md "Alerts by email"). Each route runs end to end with the parts
 * that decide it:
 * - the definition in the Step Functions interpreter the local engine uses (aws-local-stepfunctions), with Task
 *   handlers that fail the way AWS would, counting NotifyFailure's publishes;
 * - the execution's end as the "Step Functions Execution Status Change" event AWS documents (no error, no cause),
 *   matched against the failure rule's event pattern as synthesized;
 * - for a matched event, the failure notifier's handler in-process, with SDK clients answered at their `send` seam:
 *   DescribeExecution returns what the interpreter ended with, Publish is counted.
 * Notifications = NotifyFailure's publishes + the notifier's publishes. A second block runs the notifier with real SDK
 * clients against moto_server: executions that really end the four ways (a Fail state raising the marked error, a
 * States.Runtime, a timeout, a stop) and a topic whose HTTP subscriber counts the messages that arrive.
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { PublishCommand, type PublishInput, SNSClient } from "@aws-sdk/client-sns";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { LOCAL_SUBSTITUTIONS } from "@tunelake/local/engine";
import { ExecutionAbortedError, ExecutionError, StateMachine } from "aws-local-stepfunctions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DUMMY_CREDENTIALS,
  detectMoto,
  MOTO_REGION,
  type MotoServer,
  startMoto,
} from "../../packages/aws/test/moto-server.ts";
import { checkNames } from "../../packages/core/src/checks/checks-sql.ts";
import { createConsoleLogger } from "../../packages/core/src/logger.ts";
import {
  NOTIFIED_ERROR_PREFIX,
  renderDefinition,
  STATE_NAMES as S,
} from "../../packages/core/src/workflow/definition.ts";
import { CAUSE_MAX_CHARS } from "../../packages/core/src/workflow/failure-alert.ts";
import type { NotifierDeps } from "../../packages/functions/src/handler-deps.ts";
import { notifierSsm, parameterChangedAt } from "../../packages/functions/src/notifier-deps.ts";
import { createNotifyFailureHandler } from "../../packages/functions/src/notify-failure.ts";
import type { OfflineSynth } from "../offline-app.ts";
import { templatePolicies } from "../template-policies.ts";
import { matchesPattern } from "./event-pattern.ts";
import { deliveredMessages, endedStatus, type SubscribedTopic, subscribedTopic } from "./moto-topic.ts";
import { synthTestStage, TEST_STAGE } from "./synth-fixture.ts";

let synth: OfflineSynth;
/** The failure rule's pattern and the state machine's ARN, from the synthesized template. */
let PATTERN: Record<string, unknown>;
let MACHINE_ARN: string;
let EXECUTION_ARN: string;
const NAME = "2026-11-21";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:test-failures";

beforeAll(async () => {
  const { synth: s, template } = await synthTestStage({ bundle: false });
  synth = s;
  const policies = templatePolicies(template);
  const rules = policies
    .idsOf("AWS::Events::Rule")
    .filter((id) => String(policies.resources[id]?.Properties?.Description ?? "").includes("failure notifier"));
  expect(rules).toHaveLength(1);
  PATTERN = policies.resolve(policies.resources[rules[0]!]!.Properties!.EventPattern) as Record<string, unknown>;
  MACHINE_ARN = policies.arnOf(policies.idsOf("AWS::StepFunctions::StateMachine")[0]!);
  EXECUTION_ARN = `${MACHINE_ARN.replace(":stateMachine:", ":execution:")}:${NAME}`;
}, 300_000);

afterAll(async () => {
  await synth?.cleanup();
});

/** What DescribeExecution says about the ended execution. */
interface Described {
  status?: string;
  error?: string;
  cause?: string;
  redriveCount?: number;
}
interface RunEnd {
  /** NotifyFailure's publishes that went through. */
  published: number;
  described: Described;
}

const named = (name: string, message = name) => Object.assign(new Error(message), { name });
// The checks query's columns: check_name, failed_rows, failed_check (`name=rows`, or `-` for a check that passed).
const rows = (failed: (n: number) => string, count = checkNames().length) => [
  { Data: [{ VarCharValue: "check_name" }, { VarCharValue: "failed_rows" }, { VarCharValue: "failed_check" }] },
  ...Array.from({ length: count }, (_, i) => ({
    Data: [
      { VarCharValue: `check_${i}` },
      { VarCharValue: failed(i) },
      { VarCharValue: failed(i) === "0" ? "-" : `check_${i}=${failed(i)}` },
    ],
  })),
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
async function run(scenario: Scenario): Promise<RunEnd> {
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
      context: { Execution: { Id: EXECUTION_ARN, Name: NAME } },
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
  let cause: string | undefined;
  try {
    await execution.result;
  } catch (thrown) {
    if (thrown instanceof ExecutionAbortedError) status = "ABORTED";
    else {
      status = "FAILED";
      const inner = thrown instanceof ExecutionError ? (thrown.cause as Error | undefined) : (thrown as Error);
      error = inner?.name ?? "States.Runtime";
      cause = inner?.message;
    }
  }
  return { published, described: { status, error, cause, redriveCount: 0 } };
}

/**
 * The event as AWS's Step Functions guide shows it ("EventBridge (CloudWatch Events) for Step Functions execution
 * status changes", the Execution Failed example) and as the EventBridge schema of aws.states lists its fields:
 * executionArn, stateMachineArn, name, status, startDate, stopDate, input, output. No `error`, no `cause`.
 */
const statusEvent = (status: string, stateMachineArn = MACHINE_ARN) => ({
  version: "0",
  source: "aws.states",
  "detail-type": "Step Functions Execution Status Change",
  account: "123456789012",
  region: "us-east-1",
  resources: [EXECUTION_ARN],
  detail: {
    executionArn: EXECUTION_ARN,
    stateMachineArn,
    name: NAME,
    status,
    startDate: 1_763_708_400_000,
    stopDate: 1_763_708_460_000,
    input: '{"date":"2026-11-21"}',
    inputDetails: { included: true },
    output: null,
    outputDetails: null,
  },
});

/**
 * Runs the notifier's handler on `event` with SDK clients answered at `send`: DescribeExecution of the event's
 * execution returns `described`, Publish is recorded.
 */
async function notify(
  event: unknown,
  described: Described,
  extra: Pick<NotifierDeps, "refreshTokenSetAt" | "now"> = {},
): Promise<PublishInput[]> {
  const publishes: PublishInput[] = [];
  const handler = createNotifyFailureHandler(async () => ({
    ...extra,
    sfn: {
      send: (async (command: unknown) => {
        if (!(command instanceof DescribeExecutionCommand))
          expect.unreachable(`unexpected SFN call ${String(command)}`);
        expect(command.input.executionArn).toBe(EXECUTION_ARN);
        return { executionArn: EXECUTION_ARN, name: NAME, ...described };
      }) as never,
    },
    sns: {
      send: (async (command: unknown) => {
        if (!(command instanceof PublishCommand)) expect.unreachable(`unexpected SNS call ${String(command)}`);
        publishes.push(command.input);
        return { MessageId: `m-${publishes.length}` };
      }) as never,
    },
    topicArn: TOPIC_ARN,
    stage: TEST_STAGE,
    logger: createConsoleLogger("silent"),
  }));
  await handler(event);
  return publishes;
}

/** Every message a run's end produces: NotifyFailure's, then the notifier's if the rule matches the event. */
async function notifications(
  end: RunEnd,
  extra: Pick<NotifierDeps, "refreshTokenSetAt" | "now"> = {},
): Promise<{ count: number; alerts: PublishInput[] }> {
  const event = statusEvent(String(end.described.status));
  const alerts = matchesPattern(PATTERN, event) ? await notify(event, end.described, extra) : [];
  for (const alert of alerts) expect(alert.TopicArn).toBe(TOPIC_ARN);
  return { count: end.published + alerts.length, alerts };
}

describe("failure notifications", () => {
  it("sends none for a run that succeeds", async () => {
    const end = await run({});

    expect(end.described.status).toBe("SUCCEEDED");
    expect((await notifications(end)).count).toBe(0);
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
  ])("a caught failure lands exactly one message, NotifyFailure's: %s", async (_label, handlers, raised) => {
    // Act
    const end = await run({ handlers });
    const { count, alerts } = await notifications(end);

    // Assess: the rule matches (the event cannot tell), the notifier reads the marked error and publishes nothing.
    expect(end.described).toMatchObject({ status: "FAILED", error: raised });
    expect(matchesPattern(PATTERN, statusEvent("FAILED"))).toBe(true);
    expect(end.published).toBe(1);
    expect(alerts).toEqual([]);
    expect(count).toBe(1);
  });

  it("a caught failure whose NotifyFailure could not publish lands exactly one message, the notifier's", async () => {
    const end = await run({
      handlers: {
        [S.Extract]: async () => Promise.reject(named("SpotifyQuotaExceededError", "Spotify quota exhausted")),
        [S.NotifyFailure]: async () => Promise.reject(named("SNS.AuthorizationErrorException")),
      },
    });
    const { count, alerts } = await notifications(end);

    expect(end.described).toMatchObject({ status: "FAILED", error: "SpotifyQuotaExceededError" });
    expect(end.published).toBe(0);
    expect(count).toBe(1);
    expect(alerts[0]?.Message).toContain("Error: SpotifyQuotaExceededError");
  });

  it("an uncaught FAILED execution (States.Runtime outside any Catch) lands exactly one message, the notifier's", async () => {
    // Prepare: a results row without its Data: ValidationFailed's States.Format cannot read it, a runtime error no
    // Catch sees.
    const broken = rows((i) => (i === 0 ? "3" : "0"));
    broken[2] = {} as never;

    // Act
    const end = await run({ handlers: { [S.GetValidationResults]: async () => ({ ResultSet: { Rows: broken } }) } });
    const { count, alerts } = await notifications(end);

    // Assess
    expect(end.published).toBe(0);
    expect(end.described.status).toBe("FAILED");
    expect(String(end.described.error)).not.toMatch(/^Notified\./);
    expect(count).toBe(1);
    expect(alerts[0]?.Subject).toBe(`tunelake ${TEST_STAGE}: run ${NAME} ended FAILED`);
  });

  it("an ABORTED execution lands exactly one message, the notifier's", async () => {
    const end = await run({ abortAt: S.StartCrawler });
    const { count, alerts } = await notifications(end);

    expect(end.described.status).toBe("ABORTED");
    expect(end.published).toBe(0);
    expect(count).toBe(1);
    expect(alerts[0]?.Message).toContain(`ended ABORTED`);
  });

  it.each([
    ["TIMED_OUT", "States.Timeout"],
    ["FAILED", "States.DataLimitExceeded"],
    ["FAILED", "States.Runtime"],
  ])(
    "an execution that ends %s (%s), which no state sees, lands exactly one message, the notifier's",
    async (status, error) => {
      // No state runs after these: the execution's own event is the only signal, and NotifyFailure never published.
      const end: RunEnd = { published: 0, described: { status: status as never, error, cause: "x", redriveCount: 0 } };

      const { count, alerts } = await notifications(end);

      expect(count).toBe(1);
      expect(alerts[0]?.Message).toContain(`ended ${status}`);
      expect(alerts[0]?.Message).toContain(`Error: ${error}`);
    },
  );

  it("a redriven caught failure that fails again lands one more message, the notifier's", async () => {
    // Prepare: AWS's RedriveExecution restarts a caught failure at the unsuccessful step, the Fail state `Failed`,
    // which raises the marked error again without NotifyFailure running.
    const first = await run({
      handlers: { [S.Extract]: async () => Promise.reject(named("SpotifyQuotaExceededError")) },
    });
    const redriven: RunEnd = { published: 0, described: { ...first.described, redriveCount: 1 } };

    // Act
    const { count, alerts } = await notifications(redriven);

    // Assess
    expect(String(redriven.described.error).startsWith(NOTIFIED_ERROR_PREFIX)).toBe(true);
    expect(count).toBe(1);
    expect(alerts[0]?.Message).toContain("ended FAILED (redrive 1)");
  });

  it("reports a failure whose execution was redriven before the notifier read it (no error to go by)", async () => {
    const publishes = await notify(statusEvent("FAILED"), { status: "RUNNING", redriveCount: 1 });

    expect(publishes).toHaveLength(1);
    expect(publishes[0]?.Message).toContain("it is RUNNING now");
  });

  describe("the user refresh token's expiry (Spotify: 6 months after authorization)", () => {
    // Set on 2026-06-01: it expires on 2026-12-01, so 2026-11-21 is 10 days before.
    const setAt = new Date("2026-06-01T09:00:00Z");
    const now = () => new Date("2026-11-21T06:30:00Z");
    const renew = `npx sst secrets set SPOTIFY_REFRESH_TOKEN <the new token> --stage ${TEST_STAGE}`;

    it("adds a warning with the commands that renew it to the one message the notifier sends", async () => {
      const end: RunEnd = { published: 0, described: { status: "FAILED", error: "States.Runtime", redriveCount: 0 } };

      const { count, alerts } = await notifications(end, { refreshTokenSetAt: async () => setAt, now });

      expect(count).toBe(1);
      expect(alerts[0]?.Message).toContain(
        `Warning: SPOTIFY_REFRESH_TOKEN expires on 2026-12-01 (in 10 days): get a new one with npx tunelake auth, then ${renew} before then`,
      );
    });

    it("sends the warning as its own message after a failure NotifyFailure reported", async () => {
      const end = await run({
        handlers: { [S.Extract]: async () => Promise.reject(named("SpotifyQuotaExceededError")) },
      });

      const { count, alerts } = await notifications(end, { refreshTokenSetAt: async () => setAt, now });

      expect(end.published).toBe(1);
      expect(count).toBe(2);
      expect(alerts[0]?.Subject).toBe(`tunelake ${TEST_STAGE}: warning with run ${NAME}`);
      expect(alerts[0]?.Message).toContain("Warning: SPOTIFY_REFRESH_TOKEN expires on 2026-12-01");
      expect(alerts[0]?.Message).not.toContain("Error:");
    });

    it("says nothing of a token with more than 30 days left, nor of one it cannot read, and still reports", async () => {
      const end: RunEnd = { published: 0, described: { status: "FAILED", error: "States.Runtime", redriveCount: 0 } };
      const fresh = await notifications(end, { refreshTokenSetAt: async () => new Date("2026-10-01T00:00:00Z"), now });
      const unreadable = await notifications(end, {
        refreshTokenSetAt: async () => Promise.reject(new Error("AccessDeniedException")),
        now,
      });
      const caught = await run({
        handlers: { [S.Extract]: async () => Promise.reject(named("SpotifyQuotaExceededError")) },
      });
      const quiet = await notifications(caught, { refreshTokenSetAt: async () => undefined, now });

      for (const { count, alerts } of [fresh, unreadable]) {
        expect(count).toBe(1);
        expect(alerts[0]?.Message).toContain("Error: States.Runtime");
        expect(alerts[0]?.Message).not.toContain("Warning:");
      }
      expect(quiet.count).toBe(1);
    });
  });

  it("ignores other state machines and the other statuses", () => {
    expect(matchesPattern(PATTERN, statusEvent("RUNNING"))).toBe(false);
    expect(matchesPattern(PATTERN, statusEvent("SUCCEEDED"))).toBe(false);
    expect(matchesPattern(PATTERN, statusEvent("PENDING_REDRIVE"))).toBe(false);
    expect(matchesPattern(PATTERN, statusEvent("FAILED", `${MACHINE_ARN}-other`))).toBe(false);
    for (const status of ["FAILED", "TIMED_OUT", "ABORTED"])
      expect(matchesPattern(PATTERN, statusEvent(status))).toBe(true);
  });

  it("a message carries the execution, status, error, the cause redacted and cut, the console link and the next step", async () => {
    // Prepare: a cause with a credential in it, longer than a message keeps.
    const cause = `Spotify said: {"access_token": "BQDsecretsecretsecret"} ${"x".repeat(CAUSE_MAX_CHARS * 2)}`;

    // Act
    const [alert] = await notify(statusEvent("FAILED"), {
      status: "FAILED",
      error: "States.Runtime",
      cause,
      redriveCount: 0,
    });

    // Assess
    const message = String(alert?.Message);
    expect(message).toContain(`tunelake execution ${NAME} ended FAILED`);
    expect(message).toContain("Error: States.Runtime");
    expect(message).not.toContain("BQDsecretsecretsecret");
    expect(message).toContain('"access_token": "***"');
    expect(message.length).toBeLessThan(CAUSE_MAX_CHARS + 1000);
    expect(message).toContain(
      `Console: https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION_ARN}`,
    );
    expect(message).toContain(`Next: See the state that failed (tunelake history ${NAME} --stage ${TEST_STAGE})`);
    expect(message).toContain(`tunelake redrive ${NAME} --stage ${TEST_STAGE}`);
  });

  it("refuses an event that is not an execution's end, so Lambda's retries and the errors alarm show it", async () => {
    await expect(notify({ "detail-type": "Scheduled Event", detail: {} }, {})).rejects.toThrow(
      /not an execution's end/,
    );
  });
});

const moto = await detectMoto();

/**
 * One state machine that ends the way its input's `kind` says (moto_server copes with many executions of one state
 * machine, not with a second machine once an execution has finished).
 */
const MOTO_MACHINE = {
  StartAt: "Route",
  TimeoutSeconds: 2,
  States: {
    Route: {
      Type: "Choice",
      Choices: [
        { Variable: "$.kind", StringEquals: "caught", Next: "Failed" },
        { Variable: "$.kind", StringEquals: "uncaught", Next: "Broken" },
      ],
      Default: "Wait",
    },
    // What `Failed` does after NotifyFailure published: raise the caught error behind the marker.
    Failed: { Type: "Fail", Error: `${NOTIFIED_ERROR_PREFIX}SpotifyQuotaExceededError`, Cause: "quota" },
    // A path that is not there: States.Runtime, outside any Catch.
    Broken: { Type: "Pass", Parameters: { "date.$": "$.no.such.field" }, End: true },
    // Outlives the 2 s timeout, unless stopped first.
    Wait: { Type: "Wait", Seconds: 30, End: true },
  },
};
type MotoEnd = "caught" | "uncaught" | "timedOut" | "aborted";

describe.skipIf(!moto.available)(
  `the failure notifier against moto_server${moto.available ? "" : ` (skipped: ${moto.reason})`}`,
  () => {
    let server: MotoServer;
    let sfn: SFNClient;
    let sns: SNSClient;
    let topic: SubscribedTopic;
    let machineArn: string;

    beforeAll(async () => {
      server = await startMoto();
      const config = { endpoint: server.endpoint, region: MOTO_REGION, credentials: DUMMY_CREDENTIALS };
      sfn = new SFNClient(config);
      sns = new SNSClient(config);
      // The topic's subscriber: every message moto delivers is one e-mail a user would get.
      topic = await subscribedTopic(sns, "test-failures");
      const machine = await sfn.send(
        new CreateStateMachineCommand({
          name: "test-ends",
          roleArn: "arn:aws:iam::123456789012:role/test",
          definition: JSON.stringify(MOTO_MACHINE),
        }),
      );
      machineArn = String(machine.stateMachineArn);
    }, 120_000);

    afterAll(async () => {
      topic?.close();
      await server?.stop();
    });

    /** Runs `kind` to its end in moto; returns its ARN and the status DescribeExecution reports. */
    async function endIn(kind: MotoEnd): Promise<{ executionArn: string; status: string }> {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: machineArn,
          name: `${NAME}-${kind}`,
          input: JSON.stringify({ kind }),
        }),
      );
      if (kind === "aborted") await sfn.send(new StopExecutionCommand({ executionArn, cause: "stopped by a test" }));
      return { executionArn: String(executionArn), status: await endedStatus(sfn, String(executionArn)) };
    }

    it("reads when the refresh token's parameter last changed, without decrypting it, and nothing when it is not set", async () => {
      // Prepare: the SecureString parameter `sst secrets set` writes.
      const name = `/sst/tunelake/${TEST_STAGE}/Secret/SPOTIFY_REFRESH_TOKEN/value`;
      const config = { endpoint: server.endpoint, region: MOTO_REGION, credentials: DUMMY_CREDENTIALS };
      const before = Date.now();
      await new SSMClient(config).send(
        new PutParameterCommand({ Name: name, Value: "a-refresh-token", Type: "SecureString", Overwrite: true }),
      );

      // Act
      const ssm = notifierSsm(config);
      const setAt = await parameterChangedAt(ssm, name)();
      const missing = await parameterChangedAt(ssm, `${name}-not-set`)();

      // Assess
      expect(setAt?.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(setAt?.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      expect(missing).toBeUndefined();
    });

    it.each([
      ["a caught failure (Failed raising the marked error): NotifyFailure's message only", "caught", "FAILED", 0, ""],
      ["an uncaught FAILED execution (States.Runtime)", "uncaught", "FAILED", 1, "Error: States.Runtime"],
      ["a TIMED_OUT execution", "timedOut", "TIMED_OUT", 1, "Next: It ran past the state machine's timeout"],
      ["an ABORTED execution", "aborted", "ABORTED", 1, "Next: Someone or something stopped it"],
    ] as const)(
      "the notifier's messages that reach the topic's subscriber: %s",
      async (_label, kind, status, expected, says) => {
        // Prepare
        const { executionArn, status: ended } = await endIn(kind);
        expect(ended).toBe(status);
        const event = {
          ...statusEvent(status),
          detail: { ...statusEvent(status).detail, executionArn, name: `${NAME}-${kind}` },
        };
        expect(matchesPattern(PATTERN, { ...event, detail: { ...event.detail, stateMachineArn: MACHINE_ARN } })).toBe(
          true,
        );
        const before = topic.received.length;

        // Act: the handler with real SDK clients, on the wire to moto.
        const handler = createNotifyFailureHandler(async () => ({
          sfn,
          sns,
          topicArn: topic.topicArn,
          stage: TEST_STAGE,
          logger: createConsoleLogger("silent"),
        }));
        await handler(event);
        await new Promise((resolve) => setTimeout(resolve, 500));

        // Assess: one message for every end the state machine did not report itself, none for the one it did.
        const messages = deliveredMessages(topic.received.slice(before));
        expect(messages).toHaveLength(expected);
        if (expected === 1) {
          expect(messages[0]).toContain(`ended ${status}`);
          expect(messages[0]).toContain(says);
        }
      },
    );
  },
);
