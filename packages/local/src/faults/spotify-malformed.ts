import { defineFault } from "./define-fault.ts";

export default defineFault({
  name: "spotify-malformed",
  description: "the sample API sends truncated JSON bodies to the first requests (retried)",
  target: "spotify",
  apply: () => ({ malformed: { count: 2 } }),
});
