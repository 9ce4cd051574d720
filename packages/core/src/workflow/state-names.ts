/**
 * State names of the definition (the names are a contract: the README and docs/deploy.md use them) and the ASL types the definition is built with.
 */

/**
 * One state as plain JSON. Deliberately loose: asl-validator checks the definition in tests, and the interpreter's
 * own types are narrower than the language (no `ResultPath: null`, no `IsPresent: false`).
 */
export interface StateDefinition {
  Type: "Task" | "Parallel" | "Map" | "Pass" | "Wait" | "Choice" | "Succeed" | "Fail";
  [field: string]: unknown;
}

/** An Amazon States Language definition (JSONPath). */
export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, StateDefinition>;
  TimeoutSeconds?: number;
}

export const STATE_NAMES = {
  Prepare: "Prepare",
  ApplyInput: "ApplyInput",
  Route: "Route",
  InvalidInput: "InvalidInput",
  Extract: "Extract",
  ExtractFailed: "ExtractFailed",
  CheckExtract: "CheckExtract",
  WaitForSpotify: "WaitForSpotify",
  CountExtractSlice: "CountExtractSlice",
  ExtractSliceLimitReached: "ExtractSliceLimitReached",
  Transform: "Transform",
  TransformEntity: "TransformEntity",
  TransformEntityFailed: "TransformEntityFailed",
  TransformFailed: "TransformFailed",
  StartCrawler: "StartCrawler",
  StartCrawlerFailed: "StartCrawlerFailed",
  WaitForCrawler: "WaitForCrawler",
  GetCrawler: "GetCrawler",
  CheckCrawler: "CheckCrawler",
  RestartCrawler: "RestartCrawler",
  CountCrawlerPoll: "CountCrawlerPoll",
  CrawlerSucceeded: "CrawlerSucceeded",
  CrawlerFailed: "CrawlerFailed",
  CrawlerPollLimitReached: "CrawlerPollLimitReached",
  Validate: "Validate",
  ValidateFailed: "ValidateFailed",
  GetValidationResults: "GetValidationResults",
  CheckValidation: "CheckValidation",
  ValidationFailed: "ValidationFailed",
  ValidationIncomplete: "ValidationIncomplete",
  NotifyFailure: "NotifyFailure",
  Failed: "Failed",
  NotificationFailed: "NotificationFailed",
  Succeeded: "Succeeded",
} as const;

/** Stages a run can resume from (`resumeFrom`); each starts from the date alone, reading what it needs from the lake. */
export const RESUMABLE_STAGES = ["Extract", "Transform", "StartCrawler", "Validate"] as const;
export type ResumableStage = (typeof RESUMABLE_STAGES)[number];

/** The stage each state belongs to: the stage a redrive restarts from (`Prepare` when the input itself was invalid). */
const STAGE_OF_STATE: Readonly<Record<string, ResumableStage | "Prepare">> = {
  [STATE_NAMES.Prepare]: "Prepare",
  [STATE_NAMES.ApplyInput]: "Prepare",
  [STATE_NAMES.Route]: "Prepare",
  [STATE_NAMES.InvalidInput]: "Prepare",
  [STATE_NAMES.Extract]: "Extract",
  [STATE_NAMES.CheckExtract]: "Extract",
  [STATE_NAMES.WaitForSpotify]: "Extract",
  [STATE_NAMES.CountExtractSlice]: "Extract",
  [STATE_NAMES.Transform]: "Transform",
  [STATE_NAMES.TransformEntity]: "Transform",
  [STATE_NAMES.StartCrawler]: "StartCrawler",
  [STATE_NAMES.WaitForCrawler]: "StartCrawler",
  [STATE_NAMES.GetCrawler]: "StartCrawler",
  [STATE_NAMES.CheckCrawler]: "StartCrawler",
  [STATE_NAMES.RestartCrawler]: "StartCrawler",
  [STATE_NAMES.CountCrawlerPoll]: "StartCrawler",
  [STATE_NAMES.CrawlerSucceeded]: "StartCrawler",
  [STATE_NAMES.Validate]: "Validate",
  [STATE_NAMES.GetValidationResults]: "Validate",
  [STATE_NAMES.CheckValidation]: "Validate",
};

/** The stage a state belongs to, or undefined for states outside any stage (failure handling, Succeeded). */
export function stageOfState(stateName: string): ResumableStage | "Prepare" | undefined {
  return Object.hasOwn(STAGE_OF_STATE, stateName) ? STAGE_OF_STATE[stateName] : undefined;
}
