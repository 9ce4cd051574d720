/**
 * The DuckDB types of the Spotify objects the transform reads from the raw zone (sources name them for their raw
 * columns, see raw-columns.ts). Every field is typed explicitly, so a field that
 * is missing from all of a day's objects reads as NULL instead of failing the query (DuckDB would otherwise infer the
 * schema from the data). Types are a superset of the shapes Spotify returns (pre-2026 and 2026; full and simplified
 * objects; tracks and episodes), and fields we do not use are not read at all.
 */

/** A DuckDB type: a scalar type name, a struct (field -> type), or a list (`[elementType]`). */
export type ColumnType = string | readonly [ColumnType] | { readonly [field: string]: ColumnType };

const V = "VARCHAR";
const B = "BIGINT";
const BOOL = "BOOLEAN";

/** Renders a ColumnType as DuckDB type SQL; field names are quoted because Spotify uses `type`, `public`, `offset`. */
export function renderType(type: ColumnType): string {
  if (typeof type === "string") return type;
  if (Array.isArray(type)) return `${renderType(type[0] as ColumnType)}[]`;
  const fields = Object.entries(type as Record<string, ColumnType>).map(([name, t]) => `"${name}" ${renderType(t)}`);
  return `STRUCT(${fields.join(", ")})`;
}

/** Deep-merges struct types (the union of fields); used where one raw entity holds several object kinds. */
export function mergeTypes(...types: Record<string, ColumnType>[]): Record<string, ColumnType> {
  const out: Record<string, ColumnType> = {};
  for (const type of types) {
    for (const [name, t] of Object.entries(type)) {
      const prev = out[name];
      const bothStructs =
        prev !== undefined &&
        typeof prev === "object" &&
        !Array.isArray(prev) &&
        typeof t === "object" &&
        !Array.isArray(t);
      out[name] = bothStructs ? mergeTypes(prev as Record<string, ColumnType>, t as Record<string, ColumnType>) : t;
    }
  }
  return out;
}

const IMAGES = [{ url: V }] as const;

/**
 * SimplifiedArtistObject, reduced to what the tables keep (uri and URL follow from the id). Also the element type of
 * every `artists` list, so bridge tables can union them. Nested objects repeat on every playlist entry: each field
 * read here costs time and memory on the largest raw entity, so only what a table needs is read.
 */
export const SIMPLE_ARTIST = { id: V, name: V };

/** SimplifiedAlbumObject (inside tracks, artist albums and search pages). */
export const SIMPLE_ALBUM = {
  id: V,
  name: V,
  album_type: V,
  total_tracks: B,
  release_date: V,
  release_date_precision: V,
  images: IMAGES,
  artists: [SIMPLE_ARTIST],
} as const;

/** AlbumObject: the simplified fields plus those only full albums carry (label, popularity, upc, genres). */
export const ALBUM = { ...SIMPLE_ALBUM, label: V, popularity: B, external_ids: { upc: V }, genres: [V] } as const;

/** SimplifiedTrackObject, as embedded in an album's tracks page (no album, popularity or external ids). */
export const SIMPLE_TRACK = {
  id: V,
  name: V,
  type: V,
  uri: V,
  duration_ms: B,
  explicit: BOOL,
  disc_number: B,
  track_number: B,
  is_local: BOOL,
  artists: [SIMPLE_ARTIST],
} as const;

/** TrackObject, SimplifiedTrackObject and EpisodeObject (the fields a playlist entry needs of it). */
export const TRACK = { ...SIMPLE_TRACK, popularity: B, external_ids: { isrc: V }, album: SIMPLE_ALBUM } as const;

/** PlaylistTrackObject: `track` before 2026, `item` since; both read with the same type so they coalesce. */
export const ENTRY = { added_at: V, added_by: { id: V }, is_local: BOOL, track: TRACK, item: TRACK } as const;

export const ARTIST = {
  id: V,
  name: V,
  type: V,
  uri: V,
  genres: [V],
  popularity: B,
  followers: { total: B },
  images: IMAGES,
} as const;

export const ENTRIES_PAGE_TYPE = { total: B, offset: B, items: [ENTRY] } as const;

/** PlaylistObject (embedded entries page under `tracks` pre-2026, `items` 2026) and SimplifiedPlaylistObject. */
export const PLAYLIST = {
  id: V,
  name: V,
  type: V,
  uri: V,
  description: V,
  public: BOOL,
  collaborative: BOOL,
  snapshot_id: V,
  owner: { id: V, display_name: V },
  images: IMAGES,
  followers: { total: B },
  tracks: ENTRIES_PAGE_TYPE,
  items: ENTRIES_PAGE_TYPE,
} as const;

export const PROVENANCE = { _fetched_at: V, _source: V };
