/** The first Extract slice is told its time is nearly up: it stops cleanly with `done: false`, and the loop goes on. */
import { defineFault } from "./define-fault.ts";

/** What the first Extract slice is told remains of its time. */
export const EXTRACT_TIMEOUT_REMAINING_MS = 4;

export default defineFault({
  name: "extract-timeout",
  description: "the first Extract slice is told its time is nearly up: it stops early and the loop runs a next slice",
  target: "extract",
  apply: (extract) => {
    let first = true;
    return (input, context) => {
      if (!first || !context) return extract(input, context);
      first = false;
      const deadline = Date.now() + EXTRACT_TIMEOUT_REMAINING_MS;
      return extract(input, { ...context, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) });
    };
  },
});
