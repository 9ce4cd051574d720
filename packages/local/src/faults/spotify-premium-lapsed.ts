import { defineFault } from "./define-fault.ts";

export default defineFault({
  name: "spotify-premium-lapsed",
  description:
    "the sample API answers every call 403 for a lapsed Premium subscription (the run stops with SpotifyPremiumRequiredError)",
  target: "spotify",
  apply: () => ({ premiumLapsed: true }),
});
