import { describe, expect, it } from "vitest";
import { tunelake } from "../helpers.ts";

describe("tunelake auth without Spotify credentials", () => {
  it.each([
    ["none set", {}],
    ["only the client id", { SPOTIFY_CLIENT_ID: "id" }],
  ])(
    "refuses with %s, saying what to set and never to use --source sample, which auth does not take",
    async (_what, env) => {
      // Act
      const result = await tunelake(["auth"], env);

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/set both SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET/);
      expect(result.stderr).not.toContain("--source");
    },
  );
});
