/** The CLI's own errors: a command used wrongly (not configuration, not the pipeline). */
import { TunelakeError } from "@tunelake/core/errors";

/** A flag or argument the command cannot take as given (an empty SQL, a fault with --stage): exit 2. */
export class UsageError extends TunelakeError {
  readonly transient = false;
  override readonly badInput = true;
}
