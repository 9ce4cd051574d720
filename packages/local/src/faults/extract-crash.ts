/**
 * Every Extract attempt of the run crashes as a Lambda runtime does. Its deadline arrives as soon as it has sent
 * {@link EXTRACT_CRASH_AFTER_REQUESTS} Spotify requests: the extract starts no more work, lets the units in flight
 * finish, writes its checkpoint and returns `done: false`, as any slice that runs out of time. Then, instead of that
 * answer, the runtime exits (`Runtime.ExitError`): the state machine retries it once, and the retry, or a redrive,
 * continues from the checkpoint. An attempt that finishes the extract before its deadline answers as it is.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe } from "node:diagnostics_channel";
import { InjectedCrashError } from "../errors.ts";
import { defineFault } from "./define-fault.ts";

/** The Spotify requests (token requests aside) each Extract attempt sends before its deadline arrives. */
export const EXTRACT_CRASH_AFTER_REQUESTS = 8;

/** The attempt the requests being made belong to (each attempt runs its handler in its own async context). */
const attempts = new AsyncLocalStorage<{ requests: number }>();
let counting = false;

/**
 * Counts each attempt's requests from the outside: undici (the Spotify client's transport) announces every request
 * it creates on this diagnostics channel, in the async context of the call that made it, so the extract itself is not
 * touched.
 */
function countRequests(): void {
  if (counting) return;
  counting = true;
  subscribe("undici:request:create", (message) => {
    const attempt = attempts.getStore();
    const path = (message as { request?: { path?: string } }).request?.path ?? "";
    if (attempt && !path.split("?")[0]?.endsWith("/api/token")) attempt.requests++;
  });
}

export default defineFault({
  name: "extract-crash",
  description: `each Extract attempt checkpoints and dies after ${EXTRACT_CRASH_AFTER_REQUESTS} requests (the retry resumes; if it dies too, redrive completes)`,
  target: "extract",
  apply: (extract) => async (input, context) => {
    if (!context) return extract(input, context);
    countRequests();
    const attempt = { requests: 0 };
    const result = await attempts.run(attempt, () =>
      extract(input, {
        ...context,
        getRemainingTimeInMillis: () =>
          attempt.requests >= EXTRACT_CRASH_AFTER_REQUESTS ? 0 : context.getRemainingTimeInMillis(),
      }),
    );
    if (attempt.requests < EXTRACT_CRASH_AFTER_REQUESTS || (result as { done?: unknown }).done !== false) {
      return result;
    }
    throw new InjectedCrashError({
      fault: "extract-crash",
      stage: "Extract",
      afterRequests: EXTRACT_CRASH_AFTER_REQUESTS,
    });
  },
});
