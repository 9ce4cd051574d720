/**
 * The data-quality gate: ONE parameterized SQL that runs on Athena (Trino) and on DuckDB alike, so the laptop and the
 * cloud judge a run the same way. Only the common subset of both dialects is used: CTEs, scalar subqueries,
 * `UNION ALL`, `CASE`, `count`, `sum`, `abs`, `CAST(... AS BIGINT)`, double-quoted identifiers.
 *
 * The only parameter is the run date: one `?` per table read (Athena `ExecutionParameters` `["'2026-11-21'", ...]`,
 * {@link CHECKS_PARAMETER_COUNT} times), inline rather than in a CTE so Athena prunes the `dt` partitions.
 * One row per check: `check_name, failed_rows`, worst first, so the state machine looks at the first data row only.
 */
import { CURATED_TABLES, type CuratedTable, TABLE_STATS } from "../lake.ts";

/** Keys per curated table: non-null and unique per run date. */
export const TABLE_KEYS: Record<CuratedTable, readonly string[]> = {
  artists: ["artist_id"],
  albums: ["album_id"],
  album_artists: ["album_id", "artist_id"],
  tracks: ["track_id"],
  track_artists: ["track_id", "artist_id"],
  playlists: ["playlist_id"],
  playlist_items: ["playlist_id", "position"],
  search_results: ["query", "search_type", "rank"],
  plays: ["played_at", "track_id"],
  top_items: ["time_range", "item_type", "rank"],
};

/** A reference that must resolve within the same run date (NULLs are not references: local files have no album). */
interface ReferenceCheck {
  name: string;
  from: CuratedTable;
  column: string;
  to: CuratedTable;
  toColumn: string;
  /** Extra condition on the referencing rows. */
  where?: string;
}

export const REFERENCE_CHECKS: readonly ReferenceCheck[] = [
  { name: "tracks_album_id_resolves", from: "tracks", column: "album_id", to: "albums", toColumn: "album_id" },
  {
    name: "track_artists_artist_id_resolves",
    from: "track_artists",
    column: "artist_id",
    to: "artists",
    toColumn: "artist_id",
  },
  {
    name: "playlist_items_item_id_resolves",
    from: "playlist_items",
    column: "item_id",
    to: "tracks",
    toColumn: "track_id",
    where: `"item_type" = 'track'`,
  },
];

/** Row-level rules: the condition names a bad row. NULLs are left to the key checks. */
export const VALUE_CHECKS: readonly { name: string; table: CuratedTable; badRow: string }[] = [
  {
    name: "albums_release_date_precision_valid",
    table: "albums",
    badRow: `"release_date_precision" IS NOT NULL AND "release_date_precision" NOT IN ('day', 'month', 'year')`,
  },
  { name: "tracks_duration_ms_positive", table: "tracks", badRow: `"duration_ms" IS NOT NULL AND "duration_ms" <= 0` },
];

const q = (identifier: string) => `"${identifier}"`;
const dated = (table: string) => `${table}__run`;
const check = (name: string, failedRows: string) =>
  `  SELECT '${name}' AS check_name, CAST(${failedRows} AS BIGINT) AS failed_rows`;

/** How many `?` the checks SQL has: all are the run date. */
export const CHECKS_PARAMETER_COUNT = CURATED_TABLES.length + 1;

/** The names of every check, in the order the SQL lists them (results are sorted by failed rows). */
export function checkNames(): string[] {
  return [
    ...CURATED_TABLES.flatMap((t) => [
      `${t}_row_count_matches_report`,
      `${t}_not_empty`,
      `${t}_key_not_null`,
      `${t}_key_unique`,
    ]),
    ...REFERENCE_CHECKS.map((r) => r.name),
    ...VALUE_CHECKS.map((v) => v.name),
  ];
}

/** The checks SQL with one `?` for the run date. */
export function buildChecksSql(): string {
  const ctes = [
    ...CURATED_TABLES.map((t) => `${dated(t)} AS (SELECT * FROM ${q(t)} WHERE "dt" = ?)`),
    `stats AS (SELECT "table_name", sum("row_count") AS row_count, sum("reject_count") AS reject_count FROM ${q(TABLE_STATS)} WHERE "dt" = ? GROUP BY "table_name")`,
  ];
  const rows: string[] = [];
  for (const t of CURATED_TABLES) {
    const actual = `(SELECT count(*) FROM ${dated(t)})`;
    const reported = `(SELECT max(row_count) FROM stats WHERE "table_name" = '${t}')`;
    const rejected = `(SELECT max(reject_count) FROM stats WHERE "table_name" = '${t}')`;
    const keys = TABLE_KEYS[t].map(q);
    // A missing report counts as one failed row: the transform of this table did not finish.
    rows.push(check(`${t}_row_count_matches_report`, `coalesce(abs(${actual} - ${reported}), 1)`));
    // The source produced data (rows or rejects were reported) but the table is empty.
    rows.push(
      check(
        `${t}_not_empty`,
        `CASE WHEN ${actual} = 0 AND (coalesce(${reported}, 0) > 0 OR coalesce(${rejected}, 0) > 0) THEN 1 ELSE 0 END`,
      ),
    );
    rows.push(
      check(
        `${t}_key_not_null`,
        `(SELECT count(*) FROM ${dated(t)} WHERE ${keys.map((k) => `${k} IS NULL`).join(" OR ")})`,
      ),
    );
    rows.push(
      check(
        `${t}_key_unique`,
        `coalesce((SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM ${dated(t)} GROUP BY ${keys.join(
          ", ",
        )} HAVING count(*) > 1) AS duplicates), 0)`,
      ),
    );
  }
  for (const r of REFERENCE_CHECKS) {
    const where = [`f.${q(r.column)} IS NOT NULL`, ...(r.where ? [`f.${r.where}`] : [])].join(" AND ");
    rows.push(
      check(
        r.name,
        `(SELECT count(*) FROM ${dated(r.from)} AS f WHERE ${where} AND NOT EXISTS (SELECT 1 FROM ${dated(
          r.to,
        )} AS t WHERE t.${q(r.toColumn)} = f.${q(r.column)}))`,
      ),
    );
  }
  for (const v of VALUE_CHECKS) {
    rows.push(check(v.name, `(SELECT count(*) FROM ${dated(v.table)} WHERE ${v.badRow})`));
  }
  return [
    `WITH ${ctes.join(",\n")},`,
    `checks AS (\n${rows.join("\n  UNION ALL\n")}\n)`,
    "SELECT check_name, failed_rows FROM checks ORDER BY failed_rows DESC, check_name",
  ].join("\n");
}

/**
 * Binds positional parameters the way Athena binds `ExecutionParameters`: each `?` is replaced by the next value,
 * which is already an SQL literal (e.g. `'2026-11-21'`).
 */
export function bindExecutionParameters(sql: string, parameters: readonly string[]): string {
  let next = 0;
  const bound = sql.replace(/\?/g, () => {
    const value = parameters[next++];
    if (value === undefined) {
      throw new Error(`The query has more ? placeholders than the ${parameters.length} ExecutionParameters given.`);
    }
    return value;
  });
  if (next !== parameters.length) {
    throw new Error(`The query has ${next} ? placeholders but ${parameters.length} ExecutionParameters were given.`);
  }
  return bound;
}

/** The run date as an execution parameter: an SQL string literal. */
export const runDateParameter = (date: string): string => `'${date.replace(/'/g, "''")}'`;

/** The ExecutionParameters of the checks SQL for a run date. */
export const checksParameters = (date: string): string[] =>
  Array.from({ length: CHECKS_PARAMETER_COUNT }, () => runDateParameter(date));
