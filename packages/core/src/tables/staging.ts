/**
 * The staging models the curated tables read: every copy of an object from every source that carries it (`stg_*`;
 * the sources declare their branches as `feeds`), and the best copy per id (`best_*`). All are stored: a view is bound
 * again, macros and all, by every query that reads it, and binding the unions of raw copies cost more than storing them
 * (about a fifth of a small day's transform CPU; the same peak RSS at 200 000 items, `npm run bench -- --only transform`). Each branch
 * names its copy's priority (priority.ts), never a bare digit.
 */
import type { FedModel } from "../sources/define-source.ts";
import { feedsOf } from "../sources/index.ts";
import { albumCols, best, simpleArtistCols } from "../transform/sql-parts.ts";
import { defineModel, type Ref, type StagingModel } from "./define-table.ts";
import { priority as p } from "./priority.ts";

/** The branches the sources feed into a model (sources/*.ts, `feeds`), each with its named priority. */
const fed = (model: FedModel, ref: Ref): string[] =>
  feedsOf(model).map((feed) => feed.select({ ref, priority: p(feed.priority) }));

/** Every track object of the day, from every source that carries tracks, one row per copy. */
const stgTracks = defineModel({
  name: "stg_tracks",
  materialized: "table",
  model: ({ ref }) => `\n${fed("stg_tracks", ref).join("\nUNION ALL ")}`,
});

/**
 * The best copy of each object of a `stg_*` model: per field, the value of the highest-ranked copy that has one; the
 * credited artists of the highest-ranked copy that lists any.
 */
const bestOf = (name: string, from: string, id: string, fields: readonly string[]): StagingModel =>
  defineModel({
    name,
    materialized: "table",
    model: ({ ref }) => `
SELECT ${id},
  ${best(fields)},
  arg_max(artists, _rank) FILTER (WHERE len(artists) > 0) AS artists,
  arg_max(_fetched_at, _rank) AS _fetched_at
FROM ${ref(from)} GROUP BY ${id}`,
  });

const bestTracks = bestOf("best_tracks", "stg_tracks", "track_id", [
  "name",
  "album_id",
  "duration_ms",
  "explicit",
  "disc_number",
  "track_number",
  "isrc",
  "popularity",
  "is_local",
  "uri",
]);

/** Every album object of the day: from the sources, and the album inside each track. */
const stgAlbums = defineModel({
  name: "stg_albums",
  materialized: "table",
  model: ({ ref }) => `
${[
  ...fed("stg_albums", ref),
  `SELECT ${albumCols((f) => (f === "id" ? "s.album_id" : `s.album_${f}`), 0, p("child"), "s._fetched_at", true)}
  FROM ${ref("stg_tracks")} s WHERE s.album_id IS NOT NULL AND s.has_album`,
].join("\nUNION ALL ")}`,
});

const bestAlbums = bestOf("best_albums", "stg_albums", "album_id", [
  "name",
  "album_type",
  "release_date",
  "release_date_precision",
  "total_tracks",
  "label",
  "popularity",
  "upc",
  "image_url",
  "genres",
]);

/** Every artist object of the day: from the sources, and the artists credited on tracks and albums. */
const stgArtists = defineModel({
  name: "stg_artists",
  materialized: "table",
  model: ({ ref }) => `
    ${[
      ...fed("stg_artists", ref),
      `SELECT ${simpleArtistCols("s.a", p("nested"), "s._fetched_at")}
      FROM (SELECT unnest(artists) AS a, _fetched_at FROM ${ref("best_tracks")}) s WHERE nz(s.a.id) IS NOT NULL`,
      `SELECT ${simpleArtistCols("s.a", p("child"), "s._fetched_at")}
      FROM (SELECT unnest(artists) AS a, _fetched_at FROM ${ref("best_albums")}) s WHERE nz(s.a.id) IS NOT NULL`,
    ].join("\n    UNION ALL ")}`,
});

/** Every staging model by name. */
export const STAGING_MODELS: Readonly<Record<string, StagingModel>> = Object.fromEntries(
  [stgTracks, bestTracks, stgAlbums, bestAlbums, stgArtists].map((m) => [m.name, m]),
);
