/**
 * THE state machine (docs/deploy.md "Runs: the Step Functions console and redrive"): one JSONPath ASL definition that the stack deploys (with
 * `definitionSubstitutions` for the ARNs) and the local engine executes (with fake ARNs). Never keep two.
 */
import { buildChecksSql, CHECKS_PARAMETER_COUNT } from "../checks/checks-sql.ts";
import {
  CrawlerFailedError,
  CrawlerTimeoutError,
  ExtractSliceLimitError,
  InputError,
  TRANSIENT_ERROR_NAMES,
  ValidationFailedError,
} from "../errors.ts";
import { TRANSFORM_ENTITY_NAMES } from "../lake.ts";
import {
  RESUMABLE_STAGES,
  STATE_NAMES as S,
  type StateDefinition,
  type StateMachineDefinition,
} from "./state-names.ts";

export { RESUMABLE_STAGES, STATE_NAMES, type StateMachineDefinition } from "./state-names.ts";

/** The `${Name}` placeholders of the definition, filled by the stack's `definitionSubstitutions`. */
export const DEFINITION_SUBSTITUTIONS = [
  "ExtractFunctionArn",
  "TransformFunctionArn",
  "CrawlerName",
  "AthenaWorkGroup",
  "GlueDatabase",
  "FailureTopicArn",
] as const;
export type DefinitionSubstitutions = Record<(typeof DEFINITION_SUBSTITUTIONS)[number], string>;

export interface DefinitionOptions {
  /** How many times GetCrawler is asked before the run fails (default 40, about 20 minutes at 30 s). */
  crawlerPollLimit?: number;
  /** Seconds between two GetCrawler calls (default 30). */
  crawlerPollSeconds?: number;
  /** Extract time slices after the first before the run fails (default 40). */
  extractSliceLimit?: number;
  /** Validate's freshness tolerance in days (default 45; checks/checks-sql.ts). */
  freshnessToleranceDays?: number;
}

const placeholder = (name: (typeof DEFINITION_SUBSTITUTIONS)[number]) => `\${${name}}`;

/** Every retrier backs off exponentially with full jitter, so parallel Map iterations do not retry in lockstep. */
const retrier = (errors: readonly string[], intervalSeconds: number, maxAttempts: number, maxDelaySeconds: number) => ({
  ErrorEquals: [...errors],
  IntervalSeconds: intervalSeconds,
  MaxAttempts: maxAttempts,
  BackoffRate: 2,
  MaxDelaySeconds: maxDelaySeconds,
  JitterStrategy: "FULL",
});

/** Errors of the Lambda service itself (not of our code): always worth a retry. */
export const LAMBDA_SERVICE_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
  // The Lambda service's client-side timeout of the invoke call (not the function's own timeout): the call may be
  // repeated, the handlers are idempotent.
  "Lambda.ClientExecutionTimeoutException",
] as const;
/**
 * A crashed runtime (process exit, lost sandbox): retried once, because a crash that repeats is a bug to look at,
 * not something to hammer.
 */
export const LAMBDA_CRASH_ERRORS = ["Lambda.Unknown", "Runtime.ExitError"] as const;
export const GLUE_TRANSIENT_ERRORS = [
  "Glue.ThrottlingException",
  "Glue.OperationTimeoutException",
  "Glue.InternalServiceException",
] as const;
export const ATHENA_TRANSIENT_ERRORS = ["Athena.TooManyRequestsException", "Athena.InternalServerException"] as const;
export const SNS_TRANSIENT_ERRORS = [
  "SNS.ThrottledException",
  "SNS.InternalErrorException",
  "SNS.KMSThrottlingException",
] as const;

const lambdaRetry = () => [
  retrier(LAMBDA_SERVICE_ERRORS, 2, 6, 60),
  retrier(TRANSIENT_ERROR_NAMES, 5, 3, 120),
  retrier(LAMBDA_CRASH_ERRORS, 2, 1, 10),
];
const glueRetry = () => [retrier(GLUE_TRANSIENT_ERRORS, 5, 5, 60)];
const athenaRetry = () => [retrier(ATHENA_TRANSIENT_ERRORS, 5, 5, 60)];
const snsRetry = () => [retrier(SNS_TRANSIENT_ERRORS, 2, 5, 30)];

/**
 * The error the `Failed` state raises after NotifyFailure published: the caught error's name behind this prefix. The
 * failure notifier (the EventBridge failure rule's target) reads the execution's error with DescribeExecution and
 * stays silent when it starts with this prefix (workflow/failure-alert.ts), so every failure notifies exactly once:
 * caught ones by NotifyFailure, the rest (States.Runtime, States.DataLimitExceeded, a lost NotifyFailure publish,
 * timeouts, aborts) by the notifier.
 */
export const NOTIFIED_ERROR_PREFIX = "Notified.";

/** `failure.Raised` of a failure Pass: what `Failed` raises, marked as already notified. */
const raised = (error: { literal: string } | { path: string }) =>
  "literal" in error
    ? { Raised: `${NOTIFIED_ERROR_PREFIX}${error.literal}` }
    : { "Raised.$": `States.Format('${NOTIFIED_ERROR_PREFIX}{}', ${error.path})` };

/**
 * `failure.Next` of a failure Pass: the one next step that works, which NotifyFailure puts in the notification (the
 * AWS failure e-mail) after the cause. `{}` in `text` is the execution's name.
 */
const nextStep = (text: string) => ({ "Next.$": `States.Format('${text}', $$.Execution.Name)` });
const redriveNext = (stage: string) => nextStep(`resume at ${stage} with: tunelake redrive {}`);

/** Catch everything: the error goes to `$.error`, the named Pass records the failed stage, then NotifyFailure. */
const catchAll = (next: string) => [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: next }];

/** A Pass that turns the caught error at `$.error` into `$.failure` (stage, Error, Cause) and goes to NotifyFailure. */
const recordFailure = (stage: string): StateDefinition => ({
  Type: "Pass",
  Comment: `Keeps the failed stage in the state, so the run can be resumed from ${stage}.`,
  Parameters: {
    stage,
    "Error.$": "$.error.Error",
    "Cause.$": "$.error.Cause",
    ...raised({ path: "$.error.Error" }),
    ...nextStep(`do what the cause says, then resume at ${stage} with: tunelake redrive {}`),
  },
  ResultPath: "$.failure",
  Next: S.NotifyFailure,
});

/**
 * A Pass for a failure the state machine finds itself (an input it refuses, a limit reached, checks that failed):
 * `$.failure` gets the stage, the error, the cause built from the state and the one next step, then NotifyFailure.
 */
const detectedFailure = (
  stage: string,
  error: string,
  cause: string,
  next: Record<string, string>,
): StateDefinition => ({
  Type: "Pass",
  Parameters: { stage, Error: error, ...raised({ literal: error }), "Cause.$": cause, ...next },
  ResultPath: "$.failure",
  Next: S.NotifyFailure,
});

const lambdaInvoke = (functionArn: string, payload: Record<string, string>) => ({
  FunctionName: functionArn,
  Payload: payload,
});

const LAMBDA_TIMEOUT_SECONDS = 960;

/**
 * The definition with `${Name}` placeholders for the names in {@link DEFINITION_SUBSTITUTIONS}.
 *
 * State shape: Prepare resolves `{ date, mode, resumeFrom, refetch, entities, crawler: { polls }, extractSlices:
 * { count } }`; each stage adds its small summary (`extract`, `transform`, `glue`, `validation`); a failure adds
 * `failure: { stage, Error, Cause }`.
 */
export function buildDefinition(options: DefinitionOptions = {}): StateMachineDefinition {
  const pollLimit = options.crawlerPollLimit ?? 40;
  const pollSeconds = options.crawlerPollSeconds ?? 30;
  const sliceLimit = options.extractSliceLimit ?? 40;
  const region = "States.ArrayGetItem(States.StringSplit($$.Execution.Id, ':'), 3)";
  return {
    Comment:
      "tunelake: Spotify -> raw (Extract) -> curated Parquet (Transform) -> Glue catalog (crawler) -> Athena data-quality gate.",
    StartAt: S.Prepare,
    // A hung run ends TIMED_OUT (and the failure rule notifies) instead of running for a year, Standard's limit.
    // 12 hours: room for the Extract loop's 40 slices of at most 15 minutes (10 h) plus the stages after it, and
    // still ended long before the next day's schedule.
    TimeoutSeconds: 12 * 60 * 60,
    States: {
      [S.Prepare]: {
        Type: "Pass",
        Comment:
          "Run date = input date, else the execution's start date (UTC). Input keys override the defaults; entities and the poll counter cannot be overridden.",
        Parameters: {
          defaults: {
            "date.$": "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)",
            mode: "extract",
            resumeFrom: "none",
            refetch: false,
          },
          fixed: { entities: [...TRANSFORM_ENTITY_NAMES], crawler: { polls: 0 }, extractSlices: { count: 0 } },
          "input.$": "$",
        },
        Next: S.ApplyInput,
      },
      [S.ApplyInput]: {
        Type: "Pass",
        Parameters: { "run.$": "States.JsonMerge(States.JsonMerge($.defaults, $.input, false), $.fixed, false)" },
        OutputPath: "$.run",
        Next: S.Route,
      },
      [S.Route]: {
        Type: "Choice",
        Comment:
          "resumeFrom jumps straight to a stage (every stage starts from the date alone); reprocess skips Extract.",
        Choices: [
          ...RESUMABLE_STAGES.map((stage) => ({ Variable: "$.resumeFrom", StringEquals: stage, Next: stage })),
          {
            Not: { Variable: "$.resumeFrom", StringEquals: "none" },
            Next: S.InvalidInput,
          },
          { Variable: "$.mode", StringEquals: "reprocess", Next: S.Transform },
          { Variable: "$.mode", StringEquals: "extract", Next: S.Extract },
        ],
        Default: S.InvalidInput,
      },
      [S.InvalidInput]: detectedFailure(
        S.Prepare,
        InputError.name,
        `States.Format('Invalid input: mode must be extract or reprocess and resumeFrom one of ${RESUMABLE_STAGES.join(" ")}; got mode {} and resumeFrom {}. Start a new execution with a valid input.', $.mode, $.resumeFrom)`,
        nextStep("start a new execution with a valid input (the input of {} is kept in its history)"),
      ),
      [S.Extract]: {
        Type: "Task",
        Comment:
          "Spotify -> raw zone, one time slice per invocation, continuing from the checkpoint in the lake. Only the manifest summary comes back: the manifest itself is in the lake.",
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: lambdaInvoke(placeholder("ExtractFunctionArn"), {
          "date.$": "$.date",
          "execution.$": "$$.Execution.Name",
          "refetch.$": "$.refetch",
        }),
        ResultSelector: {
          "done.$": "$.Payload.done",
          "waitSeconds.$": "$.Payload.waitSeconds",
          "manifestKey.$": "$.Payload.manifestKey",
          "objects.$": "$.Payload.objects",
          "requests.$": "$.Payload.requests",
          "retries.$": "$.Payload.retries",
          "rejects.$": "$.Payload.rejects",
          "dataSource.$": "$.Payload.dataSource",
          "accessProfile.$": "$.Payload.accessProfile",
        },
        ResultPath: "$.extract",
        TimeoutSeconds: LAMBDA_TIMEOUT_SECONDS,
        Retry: lambdaRetry(),
        Catch: catchAll(S.ExtractFailed),
        Next: S.CheckExtract,
      },
      [S.CheckExtract]: {
        Type: "Choice",
        Comment:
          "A slice that stopped before its deadline, or to let Spotify's Retry-After pass, comes back with done false: wait if asked, then the next slice.",
        Choices: [
          { Variable: "$.extract.done", BooleanEquals: true, Next: S.Transform },
          { Variable: "$.extractSlices.count", NumericGreaterThanEquals: sliceLimit, Next: S.ExtractSliceLimitReached },
          { Variable: "$.extract.waitSeconds", NumericGreaterThan: 0, Next: S.WaitForSpotify },
        ],
        Default: S.CountExtractSlice,
      },
      [S.WaitForSpotify]: {
        Type: "Wait",
        Comment: "Spotify's Retry-After, waited here for free instead of asleep in the Lambda.",
        SecondsPath: "$.extract.waitSeconds",
        Next: S.CountExtractSlice,
      },
      [S.CountExtractSlice]: {
        Type: "Pass",
        Parameters: { "count.$": "States.MathAdd($.extractSlices.count, 1)" },
        ResultPath: "$.extractSlices",
        Next: S.Extract,
      },
      [S.ExtractSliceLimitReached]: detectedFailure(
        S.Extract,
        ExtractSliceLimitError.name,
        `States.Format('The extract of {} was still not done after {} time slices. Its checkpoint keeps what is done: redrive to continue it, or lower the number of sources.', $.date, $.extractSlices.count)`,
        redriveNext(S.Extract),
      ),
      [S.ExtractFailed]: recordFailure(S.Extract),
      [S.Transform]: {
        Type: "Map",
        Comment: "One Transform invocation per entity, in parallel; each reads the raw zone for the date.",
        ItemsPath: "$.entities",
        ItemSelector: { "date.$": "$.date", "entity.$": "$$.Map.Item.Value" },
        MaxConcurrency: TRANSFORM_ENTITY_NAMES.length,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: S.TransformEntity,
          States: {
            [S.TransformEntity]: {
              Type: "Task",
              Resource: "arn:aws:states:::lambda:invoke",
              Parameters: lambdaInvoke(placeholder("TransformFunctionArn"), {
                "date.$": "$.date",
                "entity.$": "$.entity",
              }),
              ResultSelector: {
                "entity.$": "$.Payload.entity",
                "rows.$": "$.Payload.rows",
                "tables.$": "$.Payload.tables",
              },
              TimeoutSeconds: LAMBDA_TIMEOUT_SECONDS,
              Retry: lambdaRetry(),
              // Keeps the handler's error name (the outer Catch and the notification show it) and adds the entity.
              Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: S.TransformEntityFailed }],
              End: true,
            },
            [S.TransformEntityFailed]: {
              Type: "Fail",
              ErrorPath: "$.error.Error",
              CausePath: "$.error.Cause",
            },
          },
        },
        ResultPath: "$.transform",
        Catch: catchAll(S.TransformFailed),
        Next: S.StartCrawler,
      },
      [S.TransformFailed]: recordFailure(S.Transform),
      [S.StartCrawler]: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:glue:startCrawler",
        Parameters: { Name: placeholder("CrawlerName") },
        ResultPath: null,
        TimeoutSeconds: 300,
        Retry: glueRetry(),
        Catch: [
          // A crawl already under way (a person, an earlier attempt) may have started before Transform wrote today's
          // files: the error is kept at $.crawlerRunning, so the loop waits for that crawl to end and then starts
          // the crawler again (RestartCrawler); only a crawl this run started is accepted.
          { ErrorEquals: ["Glue.CrawlerRunningException"], ResultPath: "$.crawlerRunning", Next: S.WaitForCrawler },
          ...catchAll(S.StartCrawlerFailed),
        ],
        Next: S.WaitForCrawler,
      },
      [S.StartCrawlerFailed]: recordFailure(S.StartCrawler),
      [S.WaitForCrawler]: { Type: "Wait", Seconds: pollSeconds, Next: S.GetCrawler },
      [S.GetCrawler]: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:glue:getCrawler",
        Parameters: { Name: placeholder("CrawlerName") },
        // The whole answer: `LastCrawl` is absent before a crawler's first crawl, so a ResultSelector could not name it.
        ResultPath: "$.glue",
        TimeoutSeconds: 60,
        Retry: glueRetry(),
        Catch: catchAll(S.StartCrawlerFailed),
        Next: S.CheckCrawler,
      },
      [S.CheckCrawler]: {
        Type: "Choice",
        Choices: [
          {
            And: [
              { Variable: "$.glue.Crawler.State", StringEquals: "READY" },
              { Variable: "$.crawlerRunning.Error", IsPresent: true },
            ],
            Next: S.RestartCrawler,
          },
          {
            And: [
              { Variable: "$.glue.Crawler.State", StringEquals: "READY" },
              { Variable: "$.glue.Crawler.LastCrawl.Status", IsPresent: true },
              { Variable: "$.glue.Crawler.LastCrawl.Status", StringEquals: "SUCCEEDED" },
            ],
            Next: S.CrawlerSucceeded,
          },
          {
            And: [
              { Variable: "$.glue.Crawler.State", StringEquals: "READY" },
              { Variable: "$.glue.Crawler.LastCrawl.Status", IsPresent: true },
            ],
            Next: S.CrawlerFailed,
          },
          { Variable: "$.crawler.polls", NumericGreaterThanEquals: pollLimit, Next: S.CrawlerPollLimitReached },
        ],
        Default: S.CountCrawlerPoll,
      },
      [S.RestartCrawler]: {
        Type: "Pass",
        Comment:
          "The crawl that was running when StartCrawler was called has ended; start one that surely sees today's files.",
        Parameters: { "restartedAfter.$": "$.crawlerRunning.Error" },
        ResultPath: "$.crawlerRunning",
        Next: S.StartCrawler,
      },
      [S.CountCrawlerPoll]: {
        Type: "Pass",
        Parameters: { "polls.$": "States.MathAdd($.crawler.polls, 1)" },
        ResultPath: "$.crawler",
        Next: S.WaitForCrawler,
      },
      [S.CrawlerSucceeded]: {
        Type: "Pass",
        Comment: "Keeps a summary of the crawler, not the whole GetCrawler answer.",
        Parameters: {
          "state.$": "$.glue.Crawler.State",
          "lastCrawl.$": "$.glue.Crawler.LastCrawl.Status",
          "polls.$": "$.crawler.polls",
        },
        ResultPath: "$.glue",
        Next: S.Validate,
      },
      [S.CrawlerFailed]: detectedFailure(
        // The last crawl as GetCrawler reports it: its ErrorMessage, and on AWS the LogGroup and LogStream of its
        // log; the local stand-in has no log to point at, so nothing here names CloudWatch.
        S.StartCrawler,
        CrawlerFailedError.name,
        "States.Format('The Glue crawler {} finished its last crawl with status {}. Its last crawl: {}. Fix what it says, then redrive: the run resumes at StartCrawler.', $.glue.Crawler.Name, $.glue.Crawler.LastCrawl.Status, States.JsonToString($.glue.Crawler.LastCrawl))",
        redriveNext(S.StartCrawler),
      ),
      [S.CrawlerPollLimitReached]: detectedFailure(
        S.StartCrawler,
        CrawlerTimeoutError.name,
        `States.Format('The Glue crawler was still not READY after {} polls ${pollSeconds} s apart. Its state: {}. Once it is READY again (on AWS: the Glue console; locally: npx tunelake doctor), redrive: the run resumes at StartCrawler.', $.crawler.polls, $.glue.Crawler.State)`,
        redriveNext(S.StartCrawler),
      ),
      [S.Validate]: {
        Type: "Task",
        Comment: "The data-quality SQL, one row per check (check_name, failed_rows), worst first.",
        Resource: "arn:aws:states:::athena:startQueryExecution.sync",
        Parameters: {
          QueryString: buildChecksSql({ freshnessToleranceDays: options.freshnessToleranceDays }),
          WorkGroup: placeholder("AthenaWorkGroup"),
          QueryExecutionContext: { Database: placeholder("GlueDatabase") },
          // The run date as an SQL literal, once per `?` of the checks SQL.
          "ExecutionParameters.$": `States.Array(${Array.from(
            { length: CHECKS_PARAMETER_COUNT },
            () => "States.Format('\\'{}\\'', $.date)",
          ).join(", ")})`,
        },
        ResultSelector: {
          "QueryExecutionId.$": "$.QueryExecution.QueryExecutionId",
          "State.$": "$.QueryExecution.Status.State",
        },
        ResultPath: "$.validation",
        TimeoutSeconds: 900,
        Retry: athenaRetry(),
        Catch: catchAll(S.ValidateFailed),
        Next: S.GetValidationResults,
      },
      [S.ValidateFailed]: recordFailure(S.Validate),
      [S.GetValidationResults]: {
        Type: "Task",
        Resource: "arn:aws:states:::aws-sdk:athena:getQueryResults",
        Parameters: { "QueryExecutionId.$": "$.validation.QueryExecutionId", MaxResults: 100 },
        ResultSelector: { "rows.$": "$.ResultSet.Rows" },
        ResultPath: "$.validation.results",
        Retry: athenaRetry(),
        Catch: catchAll(S.ValidateFailed),
        Next: S.CheckValidation,
      },
      [S.CheckValidation]: {
        Type: "Choice",
        Comment:
          "Rows are sorted by failed_rows, worst first: row 0 is the header, so row 1 decides. Fewer rows than checks (none at all, or fewer than the three the cause names) is itself a failure, reported without reading rows that are not there.",
        Choices: [
          {
            // Not(IsPresent true) rather than IsPresent false: the same on AWS, and the local interpreter
            // (aws-local-stepfunctions 3) never matches IsPresent false.
            Not: { Variable: "$.validation.results.rows[3].Data[1].VarCharValue", IsPresent: true },
            Next: S.ValidationIncomplete,
          },
          { Variable: "$.validation.results.rows[1].Data[1].VarCharValue", StringEquals: "0", Next: S.Succeeded },
        ],
        Default: S.ValidationFailed,
      },
      [S.ValidationIncomplete]: detectedFailure(
        S.Validate,
        ValidationFailedError.name,
        "States.Format('The data-quality query for run date {} returned fewer rows than it has checks (query execution {}): its results cannot be trusted. Look at the query in the Athena console, then redrive: the run resumes at Validate.', $.date, $.validation.QueryExecutionId)",
        redriveNext(S.Validate),
      ),
      [S.ValidationFailed]: detectedFailure(
        // Athena's JSONPath has no filter here and Trino/DuckDB share no string aggregate, so the cause names up to
        // the three worst checks (rows are sorted worst first; failed_check is `-` for one that passed) and the
        // query id that holds them all. The next step is not a redrive: it would check the same data again.
        S.Validate,
        ValidationFailedError.name,
        "States.Format('Data-quality checks failed for run date {}. The worst checks that failed, with their failed rows (- when fewer failed): {} {} {}. All results: query execution {}. Resuming at Validate would check the same data again: find the failing rows with tunelake query or Athena, fix the transform or the sources, then rebuild the date from raw with: tunelake run --date {} --reprocess', $.date, $.validation.results.rows[1].Data[2].VarCharValue, $.validation.results.rows[2].Data[2].VarCharValue, $.validation.results.rows[3].Data[2].VarCharValue, $.validation.QueryExecutionId, $.date)",
        {
          "Next.$":
            "States.Format('fix the transform or the sources, then rebuild the date from raw with: tunelake run --date {} --reprocess', $.date)",
        },
      ),
      [S.NotifyFailure]: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Parameters: {
          TopicArn: placeholder("FailureTopicArn"),
          "Subject.$": "States.Format('tunelake run {} failed at {}', $.date, $.failure.stage)",
          "Message.$": `States.Format('tunelake execution {} for run date {} failed at stage {} | Error: {} | Cause: {} | Console: https://{}.console.aws.amazon.com/states/home?region={}#/v2/executions/details/{} | Next: {}', $$.Execution.Name, $.date, $.failure.stage, $.failure.Error, $.failure.Cause, ${region}, ${region}, $$.Execution.Id, $.failure.Next)`,
        },
        ResultPath: null,
        Retry: snsRetry(),
        // A lost notification must not hide the original error, nor be taken for a sent one: it ends in
        // NotificationFailed, which raises the caught error unmarked, so the failure notifier reports it instead.
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.notifyError", Next: S.NotificationFailed }],
        Next: S.Failed,
      },
      [S.Failed]: {
        Type: "Fail",
        Comment: `Raises the caught error behind ${NOTIFIED_ERROR_PREFIX}: NotifyFailure has told the topic already.`,
        ErrorPath: "$.failure.Raised",
        CausePath: "$.failure.Cause",
      },
      [S.NotificationFailed]: { Type: "Fail", ErrorPath: "$.failure.Error", CausePath: "$.failure.Cause" },
      [S.Succeeded]: { Type: "Succeed" },
    },
  };
}

/** The definition as pretty JSON with placeholders: printed by `tunelake definition`, written by synth. */
export function definitionJson(options: DefinitionOptions = {}): string {
  return JSON.stringify(buildDefinition(options), null, 2);
}

/** The definition with every `${Name}` placeholder replaced (the local engine passes fake ARNs). */
export function renderDefinition(
  subs: DefinitionSubstitutions,
  options: DefinitionOptions = {},
): StateMachineDefinition {
  let json = definitionJson(options);
  for (const name of DEFINITION_SUBSTITUTIONS) {
    json = json.split(placeholder(name)).join(JSON.stringify(subs[name]).slice(1, -1));
  }
  return JSON.parse(json) as StateMachineDefinition;
}
