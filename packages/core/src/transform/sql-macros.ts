/**
 * SQL macros shared by the table queries: the cleaning rules (blank strings, timestamps, release dates) and the rank
 * that decides which copy of an object wins a dedupe, written once so every table applies them the same way.
 */

/** Multiplier that puts "full object" above any fetch time in `fetch_rank` (epoch ms * 10 stays below it). */
const FULL_WEIGHT = "100000000000000";

export const MACROS_SQL = `
SET TimeZone = 'UTC';
-- Blank strings to NULL, padded ones trimmed. Called on most string fields of every row, so the common case (no
-- padding) skips trim(), which copies the string.
CREATE OR REPLACE MACRO nz(s) AS CASE WHEN s = '' THEN NULL
  WHEN starts_with(s, ' ') OR ends_with(s, ' ') THEN NULLIF(trim(s), '') ELSE s END;
-- Spotify writes UTC with a Z suffix: the plain TIMESTAMP cast reads that right and is several times faster than the
-- time-zone-aware cast, which is kept for other offsets (and strings without one, read as UTC).
CREATE OR REPLACE MACRO ts_utc(s) AS CASE WHEN ends_with(s, 'Z') THEN TRY_CAST(s AS TIMESTAMP)
  ELSE TRY_CAST(nz(s) AS TIMESTAMPTZ)::TIMESTAMP END;
CREATE OR REPLACE MACRO bad_ts(s) AS nz(s) IS NOT NULL AND ts_utc(s) IS NULL;
-- A release date's precision follows from its length; the date is valid when strptime accepts the padded string.
CREATE OR REPLACE MACRO date_shape(s) AS CASE length(nz(s)) WHEN 4 THEN 'year' WHEN 7 THEN 'month' WHEN 10 THEN 'day' END;
-- Spotify writes 0000 for an unknown release year: a NULL date, not a reject.
CREATE OR REPLACE MACRO unknown_date(s) AS starts_with(nz(s), '0000');
CREATE OR REPLACE MACRO rel_date(s) AS CASE WHEN NOT unknown_date(s) THEN
  try_strptime(nz(s) || CASE length(nz(s)) WHEN 4 THEN '-01-01' WHEN 7 THEN '-01' WHEN 10 THEN '' END, '%Y-%m-%d')::DATE END;
-- The shape of the string decides the precision, so date and precision always agree; the given one is a fallback.
-- A given precision that is not one of Spotify's values is NULL, like any field of an unexpected value.
CREATE OR REPLACE MACRO rel_prec(s, p) AS coalesce(date_shape(s),
  CASE WHEN lower(nz(p)) IN ('year', 'month', 'day') THEN lower(nz(p)) END);
CREATE OR REPLACE MACRO bad_rel_date(s) AS nz(s) IS NOT NULL AND rel_date(s) IS NULL AND NOT unknown_date(s);
-- Which copy of an object wins: full objects first, then the most recent fetch, then the source's priority digit.
CREATE OR REPLACE MACRO fetch_rank(is_full, fetched, prio) AS
  is_full::BIGINT * ${FULL_WEIGHT} + coalesce(epoch_ms(fetched), 0) * 10 + prio;
CREATE OR REPLACE MACRO first_image(imgs) AS nz(imgs[1].url);
-- Spotify's uri and web URL follow from the id, so nested objects do not need to carry (and we do not read) them.
CREATE OR REPLACE MACRO spotify_uri(kind, id) AS 'spotify:' || kind || ':' || nz(id);
CREATE OR REPLACE MACRO spotify_url(kind, id) AS 'https://open.spotify.com/' || kind || '/' || nz(id);
`;
