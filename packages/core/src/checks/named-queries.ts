/**
 * Saved Athena queries for analysts (deployed as `AWS::Athena::NamedQuery` in the stage's workgroup). Each takes the
 * run date as its one execution parameter (`?`, `YYYY-MM-DD`): in the console, "Run again" asks for it; with the CLI,
 * `tunelake query --stage S` runs plain SQL, so paste the query with the date inlined.
 */
export interface NamedQuery {
  /** Console name (unique per workgroup). */
  name: string;
  description: string;
  sql: string;
}

/** The run date one day before a `dt` column, as a `dt` string; the same SQL on Trino and DuckDB. */
const dayBefore = (column: string) => `CAST(CAST(CAST(${column} AS date) - INTERVAL '1' DAY AS date) AS varchar)`;

/**
 * The analysts' queries, Athena (Trino) SQL over the curated tables. Athena takes `?` only in a WHERE clause, so the
 * date filters the first table there and the other tables follow it through their join on `dt`.
 */
export const NAMED_QUERIES: readonly NamedQuery[] = [
  {
    name: "top-tracks-of-the-day",
    description: "Tracks that appear in the most followed playlists on a day, best position first. Parameter: dt.",
    sql: `SELECT t.track_id, t.name, t.album_id,
       count(DISTINCT pi.playlist_id) AS playlists,
       min(pi.position) AS best_position,
       max(t.popularity) AS popularity
FROM playlist_items pi
JOIN tracks t ON t.dt = pi.dt AND t.track_id = pi.item_id
WHERE pi.dt = ? AND pi.item_type = 'track'
GROUP BY t.track_id, t.name, t.album_id
ORDER BY playlists DESC, best_position ASC, t.track_id
LIMIT 50`,
  },
  {
    name: "top-albums-of-the-day",
    description: "Albums whose tracks appear in the most playlists on a day. Parameter: dt.",
    sql: `SELECT a.album_id, a.name, a.album_type, a.release_date,
       count(DISTINCT pi.playlist_id) AS playlists,
       count(*) AS playlist_entries
FROM playlist_items pi
JOIN tracks t ON t.dt = pi.dt AND t.track_id = pi.item_id
JOIN albums a ON a.dt = pi.dt AND a.album_id = t.album_id
WHERE pi.dt = ? AND pi.item_type = 'track'
GROUP BY a.album_id, a.name, a.album_type, a.release_date
ORDER BY playlists DESC, playlist_entries DESC, a.album_id
LIMIT 50`,
  },
  {
    name: "new-releases-of-the-week",
    description: "Albums released in the 7 days up to the run date (day-precision release dates). Parameter: dt.",
    sql: `SELECT a.album_id, a.name, a.album_type, a.release_date, a.total_tracks, a.label
FROM albums a
WHERE a.dt = ?
  AND a.release_date_precision = 'day'
  AND a.release_date BETWEEN CAST(CAST(a.dt AS date) - INTERVAL '6' DAY AS date) AND CAST(a.dt AS date)
ORDER BY a.release_date DESC, a.name
LIMIT 200`,
  },
  {
    name: "playlist-movers",
    description:
      "Playlist entries that moved most since the day before (new entries count as moving in). Parameter: dt.",
    sql: `SELECT t.playlist_id, pl.name AS playlist_name, t.item_id, b.position AS previous_position,
       t.position AS position, b.position - t.position AS moved_up
FROM playlist_items t
LEFT JOIN playlist_items b
  ON b.dt = ${dayBefore("t.dt")} AND b.playlist_id = t.playlist_id AND b.item_id = t.item_id
LEFT JOIN playlists pl ON pl.dt = t.dt AND pl.playlist_id = t.playlist_id
WHERE t.dt = ?
ORDER BY abs(coalesce(b.position - t.position, 1000)) DESC, t.playlist_id, t.position
LIMIT 100`,
  },
];
