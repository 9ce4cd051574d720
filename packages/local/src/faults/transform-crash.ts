/** The first Transform attempt of one entity crashes as a Lambda runtime does; Step Functions retries it. */
import { InjectedCrashError } from "../errors.ts";
import { defineFault } from "./define-fault.ts";

/** The entity whose first Transform attempt crashes. */
export const CRASHING_ENTITY = "tracks";

export default defineFault({
  name: "transform-crash",
  description: "the first attempt of one transform invocation crashes (retried to success)",
  target: "transform",
  apply: (transform) => {
    let crashed = false;
    return async (input, context) => {
      const entity = (input as { entity?: string } | undefined)?.entity;
      if (entity !== CRASHING_ENTITY || crashed) return transform(input, context);
      crashed = true;
      throw new InjectedCrashError({ fault: "transform-crash", stage: "Transform", entity });
    };
  },
});
