import { defineFault } from "./define-fault.ts";

export default defineFault({
  name: "spotify-429",
  description: "the sample API answers 429 with Retry-After 1 to the first requests (retried to success)",
  target: "spotify",
  apply: () => ({ rateLimit: { count: 3, retryAfterSeconds: 1 } }),
});
