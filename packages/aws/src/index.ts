/** The CLI's cloud mode (`--stage S`): a deployed stage's outputs, runs, histories, redrives and Athena queries. */

export { pipelineStackName, STAGE_OUTPUT_KEYS, type StageOutputs } from "@tunelake/core/stage-outputs";
export { type FailedStage, failedStageFromHistory } from "@tunelake/core/workflow/failed-stage";
export { type CloudClientOptions, type CloudClients, createCloudClients } from "./cloud-clients.ts";
export {
  type CloudExecution,
  type CloudExecutionDetails,
  type CloudHistoryEvent,
  type CloudRedriveResult,
  type CloudStartRunOptions,
  cloudDescribeExecution,
  cloudHistory,
  cloudListExecutions,
  cloudRedrive,
  cloudStartRun,
  cloudStopExecution,
} from "./cloud-executions.ts";
export {
  type CloudQueryOptions,
  type CloudQueryResult,
  cloudQuery,
} from "./cloud-query.ts";
export { type CloudStage, type CloudStageOptions, openStage } from "./cloud-stage.ts";
export { type CloudTable, cloudListTables } from "./cloud-tables.ts";
export { AthenaQueryError, StageNotFoundError } from "./errors.ts";
export { type AwsQueryEngineOptions, createAwsQueryEngine } from "./query-engine.ts";
export { type ResolveStageOptions, resolveStage } from "./resolve-stage.ts";
export { type AwsRunsOptions, createAwsRuns } from "./runs.ts";
