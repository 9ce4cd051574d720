/**
 * What explains a key one side of the steady-state benchmark's refetch comparison lacks (bench/extract-steady.ts):
 * the release lag of docs/tables.md, "What a carried row can miss", read from the two sides' own tables and raw
 * listings. Pure: the benchmark reads the sides, this decides.
 */

/**
 * The row counts a table's refetch difference has (extract-steady.ts's TableDifference), summed over the days; the
 * benchmark's smoke test reads the same list.
 */
export const DIFFERENCE_COUNTS = [
  "missingRows",
  "extraRows",
  "laggedRows",
  "otherRows",
  "releaseLagRows",
  "unexplainedIdentityRows",
] as const;

export const dayOf = (date: string) => Math.floor(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / 86_400_000);

/**
 * A table's rows of one date by key (`row(key)` as text): its key's columns, its cells (every column but `_fetched_*`
 * and `dt`) and `_fetched_at`.
 */
export type TableRows = Map<string, { parts: string[]; r: string; f: string | null }>;

/** One home's curated tables of one date, and what the release lag is read from. */
export interface Side {
  tables: Map<string, TableRows>;
  /** Each track's album (`tracks.album_id`). */
  albumOf: Map<string, string>;
  /** The raw `artist_albums` lines of the date (the parts its manifest lists): artist id -> the albums listed. */
  listings: Map<string, Set<string>>;
}

/**
 * The albums the release lag explains on a date (docs/tables.md, "What a carried row can miss"), from the two sides'
 * own tables and raw listings:
 * - `releases`: albums only the refetch has that the world released fewer than `artistAlbumsCheck` days ago, listed by
 *   an artist in the refetch's raw `artist_albums` and not in the day's listing of that artist (not checked yet);
 * - `displaced`: albums only the day has, still in the day's listing of an artist whose refetch listing has such a
 *   release instead: at most as many for an artist as it has unchecked releases (each release pushes out one album
 *   under `maxAlbumsPerArtist`).
 */
export function releaseLag(
  day: Side,
  full: Side,
  date: string,
  artistAlbumsCheck: number,
  releasedOn: (albumId: string) => string | undefined,
): { releases: Set<string>; displaced: Set<string> } {
  const albums = (side: Side) => new Set([...(side.tables.get("albums")?.values() ?? [])].map((row) => row.parts[0]));
  const [dayAlbums, fullAlbums] = [albums(day), albums(full)];
  const releases = new Set<string>();
  /** Per artist, its unchecked releases: how many albums it may have displaced. */
  const budget = new Map<string, number>();
  for (const [artist, listed] of full.listings) {
    for (const album of listed) {
      if (dayAlbums.has(album) || day.listings.get(artist)?.has(album)) continue;
      const released = releasedOn(album);
      if (!released || released > date || dayOf(date) - dayOf(released) >= artistAlbumsCheck) continue;
      releases.add(album);
      budget.set(artist, (budget.get(artist) ?? 0) + 1);
    }
  }
  const displaced = new Set<string>();
  for (const [artist, listed] of day.listings) {
    for (const album of listed) {
      const left = budget.get(artist) ?? 0;
      if (left === 0 || fullAlbums.has(album) || full.listings.get(artist)?.has(album)) continue;
      displaced.add(album);
      budget.set(artist, left - 1);
    }
  }
  return { releases, displaced };
}

/**
 * Whether a missing (`side` = the refetch, `albums` = the releases) or extra (`side` = the day, `albums` = the
 * displaced albums) row of `table` belongs to those albums: by its album id, its track's album, or, for an artist,
 * by every credit it has on that side being on those albums or their tracks.
 */
export function belongsTo(table: string, parts: readonly string[], side: Side, albums: ReadonlySet<string>): boolean {
  const [id = ""] = parts;
  const onAlbums = (album: string | undefined) => album !== undefined && albums.has(album);
  switch (table) {
    case "albums":
    case "album_artists":
      return onAlbums(id);
    case "tracks":
    case "track_artists":
      return onAlbums(side.albumOf.get(id));
    case "artists": {
      const credits = [
        ...[...(side.tables.get("album_artists")?.values() ?? [])]
          .filter((r) => r.parts[1] === id)
          .map((r) => r.parts[0]),
        ...[...(side.tables.get("track_artists")?.values() ?? [])]
          .filter((r) => r.parts[1] === id)
          .map((r) => side.albumOf.get(r.parts[0] ?? "")),
      ];
      return credits.length > 0 && credits.every(onAlbums);
    }
    default:
      return false;
  }
}
