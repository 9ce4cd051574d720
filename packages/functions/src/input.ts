import { formatIssues } from "@tunelake/core/config/load";
import { InputError } from "@tunelake/core/errors";
import { assertRunDate, TRANSFORM_ENTITY_NAMES, type TransformEntity } from "@tunelake/core/lake";
import { FAILURE_STATUSES, type FailureStatus } from "@tunelake/core/workflow/failure-alert";
import * as v from "valibot";

const DateSchema = v.pipe(
  v.string("date must be a string YYYY-MM-DD"),
  v.check(isRunDate, "date must be a real calendar date YYYY-MM-DD"),
);

function isRunDate(date: string): boolean {
  try {
    assertRunDate(date);
    return true;
  } catch {
    return false;
  }
}

/**
 * Extract's event from the state machine: `{ date }`, and optionally the execution's name (a finished checkpoint of
 * the same execution is not redone) and `refetch` (start over instead of continuing another execution's checkpoint).
 */
export const ExtractEventSchema = v.object({
  date: DateSchema,
  execution: v.optional(v.string()),
  refetch: v.optional(v.boolean()),
});
export type ExtractEvent = v.InferOutput<typeof ExtractEventSchema>;

/** One Transform Map iteration: `{ date, entity }`. */
export const TransformEventSchema = v.object({
  date: DateSchema,
  entity: v.picklist(
    TRANSFORM_ENTITY_NAMES as [TransformEntity, ...TransformEntity[]],
    (issue) => `entity must be one of ${TRANSFORM_ENTITY_NAMES.join(", ")}, got ${JSON.stringify(issue.input)}`,
  ),
});
export type TransformEvent = v.InferOutput<typeof TransformEventSchema>;

/**
 * The failure rule's event: a "Step Functions Execution Status Change" of this state machine that ended FAILED,
 * TIMED_OUT or ABORTED. Only what the notifier uses; the rest of `detail` (dates, input, output) is ignored.
 */
export const ExecutionEndEventSchema = v.object({
  "detail-type": v.literal("Step Functions Execution Status Change"),
  detail: v.object({
    executionArn: v.pipe(v.string(), v.startsWith("arn:aws", "detail.executionArn must be an execution ARN")),
    name: v.string(),
    status: v.picklist(
      FAILURE_STATUSES as unknown as [FailureStatus, ...FailureStatus[]],
      (issue) => `detail.status must be one of ${FAILURE_STATUSES.join(", ")}, got ${JSON.stringify(issue.input)}`,
    ),
  }),
});
export type ExecutionEndEvent = v.InferOutput<typeof ExecutionEndEventSchema>;

/** Parses a handler's event; a bad event is an InputError (terminal: the state machine's input is wrong). */
export function parseEvent<S extends v.GenericSchema>(schema: S, event: unknown, handler: string): v.InferOutput<S> {
  const result = v.safeParse(schema, event);
  if (!result.success) {
    throw new InputError({ reason: "handlerEvent", handler, issues: formatIssues(result.issues) });
  }
  return result.output;
}
