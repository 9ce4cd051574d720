import { describe, expect, it } from "vitest";
import { belongsTo, releaseLag, type Side, type TableRows } from "../refetch-explain.ts";

/** A side of the comparison from its albums, tracks (id -> album), credits and raw listings (artist -> albums). */
function side({
  albums = [],
  tracks = {},
  albumCredits = [],
  trackCredits = [],
  listings = {},
}: {
  albums?: string[];
  tracks?: Record<string, string>;
  albumCredits?: [string, string][];
  trackCredits?: [string, string][];
  listings?: Record<string, string[]>;
} = {}): Side {
  const rows = (keys: string[][]): TableRows =>
    new Map(keys.map((parts) => [`(${parts.join(", ")})`, { parts, r: "", f: null }]));
  return {
    tables: new Map([
      ["albums", rows(albums.map((a) => [a]))],
      ["tracks", rows(Object.keys(tracks).map((t) => [t]))],
      ["album_artists", rows(albumCredits)],
      ["track_artists", rows(trackCredits)],
    ]),
    albumOf: new Map(Object.entries(tracks)),
    listings: new Map(Object.entries(listings).map(([artist, ids]) => [artist, new Set(ids)])),
  };
}

const DATE = "2026-10-05";
/** Albums named `new-<date>` were released on that date; the others long before the comparison. */
const releasedOn = (album: string) => (album.startsWith("new-") ? album.slice(4) : undefined);

// The configured artist L lists one album: the day still lists `old` (credited to O, with track t-old), the refetch
// lists the release `new-…` (credited to N, with track t-new). Both homes also hold `kept` (credited to O too).
function lagged(release: string, dayListing = ["old"]) {
  const common = {
    albums: ["kept"],
    tracks: { "t-kept": "kept" },
    albumCredits: [["kept", "O"]] as [string, string][],
  };
  const day = side({
    ...common,
    albums: [...common.albums, "old"],
    tracks: { ...common.tracks, "t-old": "old" },
    albumCredits: [...common.albumCredits, ["old", "O"], ["old", "X"]],
    trackCredits: [["t-old", "X"]],
    listings: { L: dayListing },
  });
  const full = side({
    ...common,
    albums: [...common.albums, release],
    tracks: { ...common.tracks, "t-new": release },
    albumCredits: [...common.albumCredits, [release, "N"]],
    trackCredits: [["t-new", "N"]],
    listings: { L: [release] },
  });
  return { day, full, lag: releaseLag(day, full, DATE, 3, releasedOn) };
}

describe("releaseLag and belongsTo (the refetch comparison's identity rows)", () => {
  it("explains an unchecked release's rows and the album it displaces, and no other row", () => {
    // Arrange
    const { day, full, lag } = lagged("new-2026-10-04");

    // Act / Assess
    expect(lag).toEqual({ releases: new Set(["new-2026-10-04"]), displaced: new Set(["old"]) });
    const missing = (table: string, parts: string[]) => belongsTo(table, parts, full, lag.releases);
    const extra = (table: string, parts: string[]) => belongsTo(table, parts, day, lag.displaced);
    expect(missing("albums", ["new-2026-10-04"])).toBe(true);
    expect(missing("album_artists", ["new-2026-10-04", "N"])).toBe(true);
    expect(missing("tracks", ["t-new"])).toBe(true);
    expect(missing("track_artists", ["t-new", "N"])).toBe(true);
    expect(missing("artists", ["N"])).toBe(true);
    expect(extra("albums", ["old"])).toBe(true);
    expect(extra("tracks", ["t-old"])).toBe(true);
    expect(extra("track_artists", ["t-old", "X"])).toBe(true);
    expect(extra("artists", ["X"])).toBe(true);
    // O is credited on a kept album too: it cannot be extra because of the release.
    expect(extra("artists", ["O"])).toBe(false);
    expect(extra("albums", ["kept"])).toBe(false);
    expect(extra("tracks", ["t-kept"])).toBe(false);
    expect(missing("playlists", ["p"])).toBe(false);
  });

  it("explains nothing for a release out `artistAlbumsCheck` days or more", () => {
    const { lag } = lagged("new-2026-10-02");
    expect(lag).toEqual({ releases: new Set(), displaced: new Set() });
  });

  it("explains nothing for a release the day's listing already has (checked, yet missing: a bug)", () => {
    const { lag } = lagged("new-2026-10-04", ["new-2026-10-04"]);
    expect(lag.releases).toEqual(new Set());
  });

  it("explains at most one displaced album per unchecked release of the artist", () => {
    // Arrange: the day lists two albums the refetch lacks for L, which has one release
    const day = side({ albums: ["old", "older"], listings: { L: ["old", "older"] } });
    const full = side({ albums: ["new-2026-10-05"], listings: { L: ["new-2026-10-05"] } });

    // Act
    const lag = releaseLag(day, full, DATE, 3, releasedOn);

    // Assess
    expect(lag.displaced.size).toBe(lag.releases.size);
  });
});
