/**
 * docs/tables.md, rendered from the curated table declarations (tables/index.ts, via curated-tables.ts): `npm run docs:tables` writes it,
 * and a test fails when the file in the repository is not what this renders.
 */
import { MAX_NESTING_DEPTH, MAX_RAW_LINE_BYTES } from "../extract/raw-line.ts";
import {
  CATALOG_TABLES,
  type ColumnAccess,
  CURATED_TABLE_DEFINITIONS,
  glueType,
  PARTITION_KEY,
  type TableKind,
} from "./curated-tables.ts";
import { MAX_LINE_BYTES } from "./duckdb-session.ts";

/** Where the document lives, relative to the repository root. */
export const TABLES_DOC_PATH = "docs/tables.md";

const KINDS: Record<TableKind, string> = {
  snapshot:
    "the state of each object as seen on the run date: one row per key per `dt`; a rerun of the date replaces its partition",
  observation:
    "what a listing showed on the run date (entries, ranks): one row per key per `dt`; a rerun of the date replaces its partition",
  fact: "an event, stored once in the partition of the first run that saw it (append-only): later dates do not repeat it, a rerun of a date keeps what it had",
  stats: "the pipeline's own bookkeeping per run date and transform entity",
};

const ACCESS: Record<ColumnAccess, string> = {
  all: "every app (`development` and `extended` access profiles)",
  extended:
    "apps with extended quota only: Spotify removed the field from development-mode responses (2024/2026), so it is NULL for `development`",
  user: "only sources read with a user's refresh token (SPOTIFY_REFRESH_TOKEN from `tunelake auth`)",
};

const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** The Markdown of docs/tables.md. */
export function renderTablesDoc(): string {
  const out: string[] = [
    "<!-- Generated from the table declarations in packages/core/src/tables/ by `npm run docs:tables`: do not edit. -->",
    "",
    "# Curated tables",
    "",
    "Every table of the curated zone (Parquet, ZSTD), as the Glue catalog and `tunelake query` show it. Each table is",
    `partitioned by \`${PARTITION_KEY.name}\` (${PARTITION_KEY.type}, ${PARTITION_KEY.description}); it is not a column of the files.`,
    "",
    "## How a table keeps history",
    "",
    ...Object.entries(KINDS).map(([kind, what]) => `- **${kind}**: ${what}.`),
    "",
    "## Which access fills a column",
    "",
    ...Object.entries(ACCESS).map(([access, what]) => `- **${access}**: ${what}.`),
    "",
    "## Validation by identity",
    "",
    "An object Spotify returns is rejected (to the raw zone's `_rejects/` area, counted in `table_stats`) only when it",
    "cannot be identified or placed: it is not a JSON object, it has no `id` where its table's key needs one (local",
    "files and episodes in playlists keep their own rules), its `type` names another entity, or a key field of a listing",
    "(position, rank, `played_at`) is missing or unreadable. Any other field that is missing, null or of an unexpected",
    "type is kept in the raw zone exactly as Spotify sent it and is NULL in its column; unknown fields stay in raw and",
    "are ignored. Both response shapes are read: pre-2026 (`tracks`/`track`) and 2026 (`items`/`item`). The transform",
    "report (`_reports/dt=<date>/transform-<entity>.json`, `mistyped`) counts the fields of another type per raw entity",
    "and field; `column_stats` shows how many rows of each column have a value, and the run summary names the columns",
    "that are mostly empty.",
    "",
    "## Rejects that protect the transform",
    "",
    "Extract also rejects, with its reason in `_rejects/dt=<date>/<entity>.ndjson.gz` and counted in the manifest, an",
    `object nested deeper than ${MAX_NESTING_DEPTH} levels, one that cannot be serialized as JSON, and one whose raw line would be`,
    `longer than ${MAX_RAW_LINE_BYTES / 1024 / 1024} MiB (e.g. a 20 MB \`name\`): the transform never meets such a line, so it cannot run out of`,
    "memory on it, and values are never truncated. The reject line keeps the item whole when it is small, else only its",
    "`id` and `type` and why the rest was left out. The manifest says so (`lineLimit`); the raw files of a day whose",
    "manifest does not (written by hand, or by an older version) are scanned before they load: a line longer than",
    `${MAX_LINE_BYTES / 1024 / 1024} MiB is set aside like an unreadable line, as a counted reject of its table in`,
    "`_rejects/dt=<date>/transform-raw-<entity>.ndjson.gz` with its file, line number, reason and first 64 kB, and the",
    "rest of the file is loaded.",
    "",
    "## Incremental runs",
    "",
    "A day's snapshot tables hold every object the config reaches, as if everything had been fetched that day, but a",
    "steady day asks Spotify only for what may have changed. **The last known state is the previous published day's raw",
    "zone**: for run date D, the latest date before D that has a manifest (the base). Its raw lines are themselves",
    "complete, so they give every last known object with its `_fetched_at`, each playlist's `snapshot_id` and each",
    "artist's albums per include group. An object the run does not fetch is **carried forward**: its last known raw line",
    "is written into D's raw parts unchanged, plus `_carried_from` (the run date whose raw zone holds the fetch), so D's",
    "raw zone stays self-contained, one API object per line exactly as Spotify returned it, and the transform needs no",
    "change: its rows keep the `_fetched_at` of the fetch. Why raw lines rather than a state store or a transform that",
    "reads older days: there is nothing else to keep consistent, a reprocess of D reads D's own raw and gives the tables",
    "it gave the day it ran, and an extract rerun of D reads the same base (only earlier dates count).",
    "",
    "What a run fetches (extract/refresh.ts, extract/incremental.ts; `tunelake plan` runs the same code):",
    "",
    "- **Refresh rotation** (`extract.refresh`, days per kind): each known object is fetched again on its own day of its",
    "  period (a stable hash of its id, so the same share is due every day), and at once when it is older than its",
    "  period or was carried forward stale.",
    "- **Albums and their tracks** are immutable once fetched: carried until due (`albums`, 30 days).",
    "- **Artists' albums** are asked one include group at a time (`_include_group` records it). The ordered groups",
    "  (album, single, compilation) are checked down to the first album already known on their day of",
    "  `artistAlbumsCheck` (3 days); every list is read again in full when due (`artistAlbums`), and `appears_on`, which",
    "  Spotify does not order by date, only then.",
    "- **Playlists**: `GET /playlists/{id}?fields=snapshot_id` first; the entries are read again only when the snapshot",
    "  changed (or the playlist is due), else the playlist and its entries are carried forward. Where the last response",
    "  carried an `ETag` (kept as `_etag`), the check is the metadata request with `If-None-Match`: a 304 carries it.",
    "- Searches and the user's sources are read every run and never carried forward (a stale one has no rows that day).",
    "",
    "**Quota buckets.** The client counts requests per Spotify quota bucket (spotify/quota-buckets.ts). When a bucket is",
    "exhausted (QUOTA_EXCEEDED, a Retry-After above `extract.maxRetryAfterSeconds`, or the config's",
    "`extract.quota.<bucket>.maxRequestsPerDay`), only the work that needs it stops: its objects are carried forward",
    "marked `_stale` (the bucket), the other buckets' sources go on, and the day completes. Stale objects are due the",
    "next day whatever their refresh day. With no earlier day there is nothing to carry, and the run stops as before.",
    "Validate fails a snapshot row fetched more than `validate.freshnessToleranceDays` (default 45) days before its run",
    "date (`<table>_fetched_within_tolerance`). Every snapshot table has `_fetched_at` and `_fetched_dt` (its UTC date): a",
    "row whose `_fetched_dt` is before its `dt` was carried forward; a bridge table's are its album's or track's.",
    "",
    "**The manifest records it** (names stable; benchmarks read them): `base` (the base date, null on a first run),",
    "`requests.byBucket`, `carriedForward` (lines per entity carried, included in `objects`), `refreshed` (known objects",
    "and include groups fetched again because due), `changeChecks` (snapshot checks and include-group checks sent),",
    "`notModified` (change checks that found nothing new, 304s included) and `stale` (`source`, `bucket`, `reason`, `since`).",
    "",
    "**What a carried row can miss.** Spotify offers no change check for an artist, an album or a track: a name, an image",
    "or a popularity it changes before the object's refresh is due shows on the object's next refresh day; until then",
    "the row is the last fetched copy, with its `_fetched_at`. A new release shows on the artist's next",
    "`artistAlbumsCheck` day (at most 3 days later by default): until then the day lacks the release's rows (the album,",
    "its tracks, their credits) and, where `maxAlbumsPerArtist` keeps fewer albums than the artist has, still has the",
    "album the release displaces. Playlist edits and new plays show the day they happen. This is the price of a steady",
    "day costing a tenth of a cold one: `artistAlbumsCheck: 1` closes the release lag for about one request per artist",
    "and include group a day. The steady-state benchmark (`npm run bench -- --only extract-steady`) keeps the strict",
    "figure, `tablesMatchFullRefetch` (every table of every day equal to a full refetch's, `_fetched_*` aside), and says",
    "where it fails by each table's key (`refetchDifferences`): `identityRows`, keys only one side has (of the albums,",
    "`recentReleases` are releases not checked yet); `laggedRows`, cells of carried rows fetched within the table's",
    "refresh periods (the lag above); `otherRows`, anything else (a bug). It proves each difference is one of these two",
    "lags: a lagged row must equal its key's row in the full refetch of the day it was fetched, and a missing or extra",
    "key must belong to a release out fewer than `artistAlbumsCheck` days that the day's raw listing of its artist lacks,",
    "or to the album it displaces (by the row's album, its track's album, or an artist's credits); `explained` counts",
    "them (`releaseLagRows`, `fieldLagRows`), `unexplainedRows` counts the rest, and `differencesExplained` is true when",
    "it is 0.",
    "",
    "## Tables",
    "",
    ...CATALOG_TABLES.map((name) => `- [${name}](#${name})`),
  ];
  for (const name of CATALOG_TABLES) {
    const table = CURATED_TABLE_DEFINITIONS[name];
    out.push(
      "",
      `### ${table.name}`,
      "",
      cell(table.description),
      "",
      `- kind: **${table.kind}**`,
      `- grain: ${table.grain} (per \`${PARTITION_KEY.name}\`)`,
      `- key: ${table.key.map((k) => `\`${k}\``).join(", ")}${table.kind === "fact" ? " (unique across all dates)" : ""}`,
      "",
      "| column | type | access | description |",
      "| --- | --- | --- | --- |",
      ...table.columns.map(
        (c) => `| \`${c.name}\` | ${glueType(c.type)} | ${c.access ?? "all"} | ${cell(c.description)} |`,
      ),
    );
  }
  return `${out.join("\n")}\n`;
}
