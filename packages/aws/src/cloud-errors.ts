/** Errors of the CLI's cloud mode (`--stage S`): each says what to do next. */
import { TunelakeError } from "@tunelake/core/errors";

/** The stage has no deployed tunelake stack (or its outputs cannot be read). */
export class StageNotFoundError extends TunelakeError {
  readonly transient = false;
}

/** A run of that date is still RUNNING on the stage: two live runs of one date are refused. */
export class CloudRunAlreadyActiveError extends TunelakeError {
  readonly transient = false;
  constructor(
    message: string,
    readonly runningExecution: string,
  ) {
    super(message);
  }
}

/** The execution cannot be resumed (it succeeded, still runs, or failed before any stage). */
export class NotResumableError extends TunelakeError {
  readonly transient = false;
}

/** No execution of that name on the stage's state machine. */
export class CloudExecutionNotFoundError extends TunelakeError {
  readonly transient = false;
}

/** An Athena query ended FAILED or CANCELLED, or did not finish in time. */
export class AthenaQueryError extends TunelakeError {
  constructor(
    message: string,
    readonly queryExecutionId: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}
