import { describe, expect, it } from "vitest";
import { explainEmptyTables, type ManifestFacts } from "../../src/commands/empty-tables.ts";

const emptyTableNotes = (t: Parameters<typeof explainEmptyTables>[0], m: ManifestFacts | undefined, width: number) =>
  explainEmptyTables(t, m, width).notes;

const tables = (empty: string[]) =>
  ["artists", "playlist_items", "plays", "top_items", "saved_tracks", "followed_artists", "tracks"].map((table) => ({
    table,
    rows: empty.includes(table) ? 0 : 10,
  }));

describe("notes on empty tables, from the date's manifest", () => {
  it.each<[string, ManifestFacts, string[], string[]]>([
    [
      "user sources off in the config (the shipped config)",
      { sources: { playlists: ["p"], user: {} }, skipped: [] },
      ["plays", "top_items", "saved_tracks", "followed_artists"],
      [
        "plays, top_items, saved_tracks, followed_artists: empty, the config asks for no",
        "  user source (sources.user).",
      ],
    ],
    [
      "one user source on, the other off",
      { sources: { playlists: ["p"], user: { topTracks: ["short_term"] } }, skipped: [] },
      ["plays"],
      ["plays: empty, the config asks for none of its sources", "  (sources.user.recentlyPlayed)."],
    ],
    [
      "user sources asked for without a user token: one note for both tables",
      {
        sources: { playlists: ["p"], user: { recentlyPlayed: true, topTracks: ["short_term"] } },
        skipped: ["user sources: SPOTIFY_REFRESH_TOKEN is not set (run `tunelake auth` to get one)"],
      },
      ["plays", "top_items"],
      ["plays, top_items: empty, no user token (SPOTIFY_REFRESH_TOKEN; npx tunelake auth", "  gets one)."],
    ],
    [
      "the development profile, whose app may not read playlist entries",
      {
        sources: { playlists: ["p"], user: { recentlyPlayed: true, topArtists: ["long_term"] } },
        capabilities: { playlistItems: "no" },
        accessProfile: "development",
      },
      ["playlist_items"],
      [
        "playlist_items: empty, Spotify refused the playlists' entries to this app",
        "  (development access profile); your own playlists' entries need",
        "  SPOTIFY_REFRESH_TOKEN.",
      ],
    ],
    [
      "an empty table whose sources were asked for: not explained",
      { sources: { artists: ["a"], user: {} } },
      ["artists"],
      [],
    ],
  ])("%s", (_what, manifest, empty, notes) => {
    expect(emptyTableNotes(tables(empty), manifest, 80)).toEqual(notes);
  });

  it("leaves the tables the config did not ask for out of the row table, and keeps those it asked for", () => {
    const manifest: ManifestFacts = {
      sources: { playlists: ["p"], user: { savedTracks: true } },
      skipped: ["user sources: SPOTIFY_REFRESH_TOKEN is not set (run `tunelake auth` to get one)"],
    };
    const { notAskedFor, notes } = explainEmptyTables(
      tables(["plays", "top_items", "saved_tracks", "followed_artists"]),
      manifest,
      120,
    );
    expect([...notAskedFor].sort()).toEqual(["followed_artists", "plays", "top_items"]);
    expect(notes).toContain("saved_tracks: empty, no user token (SPOTIFY_REFRESH_TOKEN; npx tunelake auth gets one).");
  });

  it("says nothing without a manifest, and nothing about tables with rows", () => {
    expect(emptyTableNotes(tables(["plays"]), undefined, 80)).toEqual([]);
    expect(emptyTableNotes(tables([]), { sources: { user: {} } }, 80)).toEqual([]);
  });
});
