import { defineFault } from "./define-fault.ts";

export default defineFault({
  name: "spotify-token-revoked",
  description:
    "the sample API's token endpoint answers invalid_grant for the refresh token (the run stops with SpotifyRefreshTokenRevokedError)",
  target: "spotify",
  apply: () => ({ refreshTokenRevoked: true }),
});
