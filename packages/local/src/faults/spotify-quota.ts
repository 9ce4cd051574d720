import { defineFault } from "./define-fault.ts";

export default defineFault({
  name: "spotify-quota",
  description: "the sample API answers 429 QUOTA_EXCEEDED (the run stops with SpotifyQuotaExceededError)",
  target: "spotify",
  apply: () => ({ quota: true }),
});
