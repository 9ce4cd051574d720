import { defineFault } from "./define-fault.ts";

export default defineFault({
  name: "spotify-5xx",
  description: "the sample API answers 503 to the first requests (retried to success)",
  target: "spotify",
  apply: () => ({ serverError: { count: 3 } }),
});
