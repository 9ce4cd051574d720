/** Errors of the CLI's cloud mode (`--stage S`): each says what to do next. */
import { TunelakeError } from "@tunelake/core/errors";

/** The stage has no deployed tunelake stack (or its outputs cannot be read). */
export class StageNotFoundError extends TunelakeError {}

/** A run of that date is still RUNNING on the stage: two live runs of one date are refused. */
export class CloudRunAlreadyActiveError extends TunelakeError {
  constructor(
    message: string,
    readonly runningExecution: string,
  ) {
    super(message);
  }
}

/** The execution cannot be resumed (it succeeded, still runs, or failed before any stage). */
export class NotResumableError extends TunelakeError {}

/** No execution of that name on the stage's state machine. */
export class CloudExecutionNotFoundError extends TunelakeError {}

/** An Athena query ended FAILED or CANCELLED, or did not finish in time. */
export class AthenaQueryError extends TunelakeError {
  readonly #transient: boolean;
  constructor(
    message: string,
    readonly queryExecutionId: string,
    transient: boolean,
  ) {
    super(message);
    this.#transient = transient;
  }

  /** Athena's own errors tell: a throttled or internally failed query may pass on a retry, a bad one never. */
  override get transient(): boolean {
    return this.#transient;
  }
}
