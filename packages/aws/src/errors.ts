/** The errors of the AWS adapters, rooted at {@link TunelakeError}; each says what to do next. */
import { TunelakeError } from "@tunelake/core/errors";

/** The stage has no deployed tunelake stack (or its outputs cannot be read): a wrong `--stage`, exit 2. */
export class StageNotFoundError extends TunelakeError {
  static override readonly badInput = true;
}

/**
 * AWS could not be asked about the stage: no credentials, rejected credentials, no region, the endpoint unreachable, or
 * access denied (`kind`). Not a wrong `--stage`: fix the environment and run again.
 */
export class StageUnreachableError extends TunelakeError {
  constructor(
    message: string,
    readonly kind: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

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
