/** The errors of the AWS adapters, rooted at {@link TunelakeError}; each says what to do next. */
import { TunelakeError } from "@tunelake/core/errors";

/** The stage has no deployed tunelake stack (or its outputs cannot be read): a wrong `--stage`, exit 2. */
export class StageNotFoundError extends TunelakeError {
  readonly transient = false;
  override readonly badInput = true;
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
