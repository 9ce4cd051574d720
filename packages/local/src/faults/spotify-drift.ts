import { defineFault } from "./define-fault.ts";

export default defineFault({
  name: "spotify-drift",
  description:
    "the sample API's objects lose non-key fields, have them null or of another type, and gain unknown ones (kept, NULL in their columns)",
  target: "spotify",
  apply: () => ({ drift: true }),
});
