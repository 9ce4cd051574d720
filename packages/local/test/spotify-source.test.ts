import { createSpotifyClient } from "@tunelake/core/spotify/client";
import { deriveId } from "@tunelake/sample-api/sample-data";
import { dateOfWorldDay } from "@tunelake/sample-api/sample-world";
import { afterEach, describe, expect, it } from "vitest";
import { type ResolvedSource, resolveSource } from "../src/spotify-source.ts";

let sources: ResolvedSource[] = [];
afterEach(async () => {
  await Promise.all(sources.map((s) => s.close()));
  sources = [];
});

/** The snapshot_id and entry count of each playlist, as the sample API started for a run of `date` answers them. */
async function playlistsOn(date: string | undefined, ids: readonly string[]) {
  const source = await resolveSource("sample", [], {}, date);
  sources.push(source);
  const client = createSpotifyClient(source.spotify);
  return Promise.all(ids.map((id) => client.get(`/playlists/${id}?fields=snapshot_id,items(total)`)));
}

describe("resolveSource on the sample API", () => {
  it("starts the sample world on the run date: playlists edited between two run dates have new snapshots", async () => {
    // Prepare
    const ids = Array.from({ length: 20 }, (_, i) => deriveId("cli-world", i));

    // Act
    const [base, first, later] = [
      await playlistsOn(undefined, ids),
      await playlistsOn(dateOfWorldDay(-1), ids),
      await playlistsOn(dateOfWorldDay(20), ids),
    ];

    // Assess: before the world's epoch, the base world; 20 days on, some playlists were edited.
    expect(first).toEqual(base);
    expect(later.filter((p, i) => JSON.stringify(p) !== JSON.stringify(first[i])).length).toBeGreaterThan(0);
  });
});
