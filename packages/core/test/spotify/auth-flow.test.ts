import { type SampleServer, sampleEnv, startSampleServer } from "@tunelake/sample-api/sample-server";
import { afterEach, describe, expect, it } from "vitest";
import { SpotifyAuthError } from "../../src/errors.ts";
import { runAuthorizationCodeFlow } from "../../src/spotify/auth-flow.ts";
import { createSpotifyClient } from "../../src/spotify/client.ts";

let server: SampleServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Plays the browser: opens the authorize URL, follows Spotify's redirect to the local callback. */
async function browser(url: string): Promise<void> {
  const authorize = await fetch(url, { redirect: "manual" });
  const location = authorize.headers.get("location");
  if (!location) throw new Error(`authorize answered ${authorize.status} without a redirect`);
  await fetch(location);
}

describe("runAuthorizationCodeFlow", () => {
  it("returns a refresh token that works for user endpoints", async () => {
    // Prepare
    server = await startSampleServer();
    const lines: string[] = [];
    // Act
    const refreshToken = await runAuthorizationCodeFlow({
      env: sampleEnv(server),
      port: 0,
      openUrl: browser,
      print: (line) => lines.push(line),
    });
    const client = createSpotifyClient({ ...sampleEnv(server), refreshToken });
    const top = (await client.get("/me/top/tracks?limit=5", { user: true })) as { items: unknown[] };
    // Assess
    expect(refreshToken).toMatch(/^sample-refresh-/);
    expect(top.items).toHaveLength(5);
    expect(lines.join("\n")).toMatch(/http:\/\/127\.0\.0\.1:\d+\/callback/);
    expect(lines.join("\n")).not.toContain(server.clientSecret);
  });

  it("fails with SpotifyAuthError when the user does not accept", async () => {
    // Prepare
    server = await startSampleServer();
    // Act
    const act = runAuthorizationCodeFlow({
      env: sampleEnv(server),
      port: 0,
      print: () => undefined,
      openUrl: async (url) => {
        const redirect = new URL(new URL(url).searchParams.get("redirect_uri") ?? "");
        redirect.searchParams.set("error", "access_denied");
        redirect.searchParams.set("state", new URL(url).searchParams.get("state") ?? "");
        await fetch(redirect);
      },
    });
    // Assess
    await expect(act).rejects.toThrow(SpotifyAuthError);
    await expect(act).rejects.toThrow(/access_denied/);
  });
});
