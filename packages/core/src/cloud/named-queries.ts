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

/** The analysts' queries, Athena (Trino) SQL over the curated tables. */
export const NAMED_QUERIES: readonly NamedQuery[] = [
  {
    name: "top-tracks-of-the-day",
    description: "Tracks that appear in the most followed playlists on a day, best position first. Parameter: dt.",
    sql: `WITH params AS (SELECT CAST(? AS varchar) AS dt)
SELECT t.track_id, t.name, t.album_id,
       count(DISTINCT pi.playlist_id) AS playlists,
       min(pi.position) AS best_position,
       max(t.popularity) AS popularity
FROM params p
JOIN playlist_items pi ON pi.dt = p.dt AND pi.item_type = 'track'
JOIN tracks t ON t.dt = p.dt AND t.track_id = pi.item_id
GROUP BY t.track_id, t.name, t.album_id
ORDER BY playlists DESC, best_position ASC
LIMIT 50`,
  },
  {
    name: "top-albums-of-the-day",
    description: "Albums whose tracks appear in the most playlists on a day. Parameter: dt.",
    sql: `WITH params AS (SELECT CAST(? AS varchar) AS dt)
SELECT a.album_id, a.name, a.album_type, a.release_date,
       count(DISTINCT pi.playlist_id) AS playlists,
       count(*) AS playlist_entries
FROM params p
JOIN playlist_items pi ON pi.dt = p.dt AND pi.item_type = 'track'
JOIN tracks t ON t.dt = p.dt AND t.track_id = pi.item_id
JOIN albums a ON a.dt = p.dt AND a.album_id = t.album_id
GROUP BY a.album_id, a.name, a.album_type, a.release_date
ORDER BY playlists DESC, playlist_entries DESC
LIMIT 50`,
  },
  {
    name: "new-releases-of-the-week",
    description: "Albums released in the 7 days up to the run date (day-precision release dates). Parameter: dt.",
    sql: `WITH params AS (SELECT CAST(? AS varchar) AS dt)
SELECT a.album_id, a.name, a.album_type, a.release_date, a.total_tracks, a.label
FROM params p
JOIN albums a ON a.dt = p.dt
WHERE a.release_date_precision = 'day'
  AND a.release_date BETWEEN date_add('day', -6, CAST(p.dt AS date)) AND CAST(p.dt AS date)
ORDER BY a.release_date DESC, a.name
LIMIT 200`,
  },
  {
    name: "playlist-movers",
    description:
      "Playlist entries that moved most since the day before (new entries count as moving in). Parameter: dt.",
    sql: `WITH run AS (SELECT CAST(? AS varchar) AS dt),
params AS (SELECT dt, date_format(date_add('day', -1, CAST(dt AS date)), '%Y-%m-%d') AS previous_dt FROM run),
today AS (
  SELECT pi.playlist_id, pi.item_id, pi.position FROM playlist_items pi JOIN params p ON pi.dt = p.dt
),
before AS (
  SELECT pi.playlist_id, pi.item_id, pi.position FROM playlist_items pi JOIN params p ON pi.dt = p.previous_dt
)
SELECT t.playlist_id, pl.name AS playlist_name, t.item_id, b.position AS previous_position,
       t.position AS position, b.position - t.position AS moved_up
FROM today t
LEFT JOIN before b ON b.playlist_id = t.playlist_id AND b.item_id = t.item_id
LEFT JOIN playlists pl ON pl.playlist_id = t.playlist_id AND pl.dt = (SELECT dt FROM params)
ORDER BY abs(coalesce(b.position - t.position, 1000)) DESC, t.playlist_id, t.position
LIMIT 100`,
  },
];
