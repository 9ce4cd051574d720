/**
 * The plain-JS baseline the transform benchmark compares against: the same work as transformAll (read every raw
 * entity's gzip NDJSON line by line, JSON.parse, clean, dedupe and merge in Maps with the same ranking, enrich the
 * bridge tables, reject invalid rows, write each table as Parquet with a JS writer), written the way one would
 * without DuckDB. hyparquet-writer has no ZSTD codec built in, so it writes Snappy (cheaper than ZSTD: this favours
 * the baseline).
 */
import { createReadStream } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { createGunzip, gzipSync } from "node:zlib";
import { type ColumnSource, parquetWriteFile, schemaFromColumnData } from "hyparquet-writer";
import { RAW_ENTITIES, type RawEntity, rawPrefix } from "../packages/core/src/lake.ts";

// biome-ignore lint/suspicious/noExplicitAny: raw API objects are untyped JSON, as in any plain-JS pipeline.
type Json = any;
type Row = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);
const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === "boolean" ? v : null);
const ts = (v: unknown): Date | null => {
  const s = str(v);
  if (s === null) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
};
const badTs = (v: unknown): boolean => str(v) !== null && ts(v) === null;
const dateShape = (s: string | null): string | null =>
  s === null
    ? null
    : /^\d{4}$/.test(s)
      ? "year"
      : /^\d{4}-\d{2}$/.test(s)
        ? "month"
        : /^\d{4}-\d{2}-\d{2}$/.test(s)
          ? "day"
          : null;
const relDate = (v: unknown): Date | null => {
  const s = str(v);
  const shape = dateShape(s);
  if (s === null || shape === null || s.startsWith("0000")) return null;
  const d = new Date(`${shape === "year" ? `${s}-01-01` : shape === "month" ? `${s}-01` : s}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
};
const badRelDate = (v: unknown): boolean =>
  str(v) !== null && relDate(v) === null && !String(v).trim().startsWith("0000");
const rankOf = (full: boolean, fetched: Date | null, prio: number): number =>
  (full ? 1e14 : 0) + (fetched ? fetched.getTime() : 0) * 10 + prio;

interface Ranked {
  row: Row;
  rank: number;
}

/** Keeps per key the best row; columns the best row lacks are filled from the others. */
function merge(map: Map<string, Ranked>, key: string, row: Row, rank: number): void {
  const existing = map.get(key);
  if (!existing) {
    map.set(key, { row, rank });
    return;
  }
  const [winner, other] = rank > existing.rank ? [row, existing.row] : [existing.row, row];
  for (const k in other) if (winner[k] === null || winner[k] === undefined) winner[k] = other[k];
  if (rank > existing.rank) map.set(key, { row, rank });
}

/** Keeps per key the best whole row. */
function keepBest(map: Map<string, Ranked>, key: string, row: Row, rank: number): void {
  const existing = map.get(key);
  if (!existing || rank > existing.rank) map.set(key, { row, rank });
}

const simpleArtists = (list: unknown): Row[] | null =>
  Array.isArray(list) && list.length > 0 ? list.map((a: Json) => ({ id: str(a?.id), name: str(a?.name) })) : null;

export interface BaselineResult {
  rows: Record<string, number>;
  rejects: Record<string, number>;
}

/** Transforms every table of `date` from `rawDir` (the raw layout) into `outDir/<table>.parquet`. */
export async function baselineTransform(rawDir: string, date: string, outDir: string): Promise<BaselineResult> {
  const tracks = new Map<string, Ranked>();
  const albums = new Map<string, Ranked>();
  const artists = new Map<string, Ranked>();
  const playlists = new Map<string, Ranked>();
  const playlistItems = new Map<string, Ranked>();
  const searchResults = new Map<string, Ranked>();
  const plays = new Map<string, Ranked>();
  const topItems = new Map<string, Ranked>();
  const rejects: Record<string, Json[]> = {};
  const reject = (table: string, o: Json, reason: string) => {
    o._reason = reason;
    const list = rejects[table] ?? [];
    list.push(o);
    rejects[table] = list;
  };

  const addArtist = (a: Json, full: boolean, prio: number, fetched: Date | null) => {
    const id = str(a?.id);
    if (id === null) return;
    merge(
      artists,
      id,
      {
        artist_id: id,
        name: str(a.name),
        genres: full && Array.isArray(a.genres) ? a.genres : null,
        popularity: full ? num(a.popularity) : null,
        followers: full ? num(a.followers?.total) : null,
        image_url: full ? str(a.images?.[0]?.url) : null,
        spotify_url: `https://open.spotify.com/artist/${id}`,
        uri: `spotify:artist:${id}`,
        _fetched_at: fetched,
      },
      rankOf(full, fetched, prio),
    );
  };
  const addAlbum = (a: Json, full: boolean, prio: number, fetched: Date | null) => {
    const id = str(a?.id);
    if (id === null) return;
    const list = simpleArtists(a.artists);
    merge(
      albums,
      id,
      {
        album_id: id,
        name: str(a.name),
        album_type: str(a.album_type),
        release_date: badRelDate(a.release_date) ? null : str(a.release_date),
        release_date_precision: str(a.release_date_precision),
        total_tracks: num(a.total_tracks),
        label: full ? str(a.label) : null,
        popularity: full ? num(a.popularity) : null,
        upc: full ? str(a.external_ids?.upc) : null,
        image_url: str(a.images?.[0]?.url),
        genres: full && Array.isArray(a.genres) ? a.genres : null,
        spotify_url: `https://open.spotify.com/album/${id}`,
        uri: `spotify:album:${id}`,
        artists: list,
        _fetched_at: fetched,
      },
      rankOf(full, fetched, prio),
    );
    for (const artist of a.artists ?? []) addArtist(artist, false, 3, fetched);
  };
  const addTrack = (o: Json, full: boolean, prio: number, fetched: Date | null, albumId: string | null) => {
    const id = str(o?.id);
    if (id === null || (o.type ?? "track") !== "track" || o.is_local === true) return;
    merge(
      tracks,
      id,
      {
        track_id: id,
        name: str(o.name),
        album_id: str(o.album?.id) ?? albumId,
        duration_ms: num(o.duration_ms),
        explicit: bool(o.explicit),
        disc_number: num(o.disc_number),
        track_number: num(o.track_number),
        isrc: str(o.external_ids?.isrc),
        popularity: num(o.popularity),
        is_local: bool(o.is_local) ?? false,
        spotify_url: `https://open.spotify.com/track/${id}`,
        uri: str(o.uri),
        artists: simpleArtists(o.artists),
        _fetched_at: fetched,
      },
      rankOf(full, fetched, prio),
    );
    if (o.album) addAlbum(o.album, false, 3, fetched);
    for (const artist of o.artists ?? []) addArtist(artist, false, 2, fetched);
  };
  const addEntry = (e: Json, playlistId: string | null, position: number, fetched: Date | null, prio: number) => {
    const o = e.item ?? e.track ?? null;
    const local = e.is_local ?? o?.is_local ?? null;
    keepBest(
      playlistItems,
      `${playlistId}\u0000${position}`,
      {
        playlist_id: playlistId,
        position,
        item_id: local ? null : str(o?.id),
        item_type: str(o?.type),
        added_at: ts(e.added_at),
        added_by: str(e.added_by?.id),
        item_uri: str(o?.uri),
        item_name: str(o?.name),
        is_local: local,
        _fetched_at: fetched,
      },
      rankOf(true, fetched, prio),
    );
    if (o) addTrack(o, true, prio === 9 ? 5 : 4, fetched, null);
  };
  const addPlaylist = (o: Json, full: boolean, prio: number, fetched: Date | null) => {
    const id = str(o.id);
    if (id === null) return;
    merge(
      playlists,
      id,
      {
        playlist_id: id,
        name: str(o.name),
        owner_id: str(o.owner?.id),
        snapshot_id: str(o.snapshot_id),
        public: bool(o.public),
        collaborative: bool(o.collaborative),
        total_items: num(o.items?.total) ?? num(o.tracks?.total),
        owner_name: str(o.owner?.display_name),
        description: str(o.description),
        followers: num(o.followers?.total),
        image_url: str(o.images?.[0]?.url),
        spotify_url: `https://open.spotify.com/playlist/${id}`,
        uri: `spotify:playlist:${id}`,
        _fetched_at: fetched,
      },
      rankOf(full, fetched, prio),
    );
  };

  // The raw entities the baseline reads; the others (sources the synthetic day has none of) are not read.
  const handlers: Partial<Record<RawEntity, (o: Json) => void>> = {
    artists: (o) => {
      if (str(o.id) === null) return reject("artists", o, "missing id");
      addArtist(o, true, 9, ts(o._fetched_at));
    },
    artist_albums: (o) => addAlbum(o, false, 5, ts(o._fetched_at)),
    albums: (o) => {
      if (str(o.id) === null) return reject("albums", o, "missing id");
      if (badRelDate(o.release_date)) return reject("albums", o, "unparseable release_date");
      const fetched = ts(o._fetched_at);
      addAlbum(o, true, 9, fetched);
      for (const t of o.tracks?.items ?? []) addTrack(t, false, 2, fetched, str(o.id));
    },
    album_tracks: (o) => addTrack(o, false, 3, ts(o._fetched_at), str(o._album_id)),
    tracks: (o) => {
      if (str(o.id) === null) return reject("tracks", o, "missing id");
      addTrack(o, true, 9, ts(o._fetched_at), null);
    },
    playlists: (o) => {
      if (str(o.id) === null) return reject("playlists", o, "missing id");
      const fetched = ts(o._fetched_at);
      addPlaylist(o, true, 9, fetched);
      const page = o.items?.items ? o.items : o.tracks;
      (page?.items ?? []).forEach((e: Json, i: number) => {
        addEntry(e, str(o.id), (page.offset ?? 0) + i, fetched, 4);
      });
    },
    playlist_items: (o) => {
      if (str(o._playlist_id) === null || typeof o._position !== "number")
        return reject("playlist_items", o, "missing _playlist_id or _position");
      if (badTs(o.added_at)) return reject("playlist_items", o, "unparseable added_at");
      addEntry(o, str(o._playlist_id), o._position, ts(o._fetched_at), 9);
    },
    search_results: (o) => {
      const fetched = ts(o._fetched_at);
      const type = o._search_type;
      if (type === "track") addTrack(o, true, 6, fetched, null);
      else if (type === "album") addAlbum(o, false, 6, fetched);
      else if (type === "artist") addArtist(o, true, 6, fetched);
      else if (type === "playlist") addPlaylist(o, false, 6, fetched);
      if (str(o._query) === null || str(type) === null || typeof o._rank !== "number")
        return reject("search_results", o, "missing _query, _search_type or _rank");
      keepBest(
        searchResults,
        `${o._query}\u0000${type}\u0000${o._rank}`,
        {
          query: str(o._query),
          search_type: str(type),
          rank: o._rank,
          item_id: str(o.id),
          item_name: str(o.name),
          item_uri: str(o.uri),
          _fetched_at: fetched,
        },
        rankOf(true, fetched, 9),
      );
    },
    recently_played: (o) => {
      const fetched = ts(o._fetched_at);
      if (o.track) addTrack(o.track, true, 7, fetched, null);
      if (str(o.played_at) === null || badTs(o.played_at))
        return reject("plays", o, "missing or unparseable played_at");
      if (str(o.track?.id) === null) return reject("plays", o, "missing track id");
      const playedAt = ts(o.played_at);
      keepBest(
        plays,
        `${playedAt?.getTime()}\u0000${o.track.id}`,
        {
          played_at: playedAt,
          track_id: str(o.track.id),
          context_uri: str(o.context?.uri),
          context_type: str(o.context?.type),
          _fetched_at: fetched,
        },
        rankOf(true, fetched, 9),
      );
    },
    top_items: (o) => {
      const fetched = ts(o._fetched_at);
      if (o._item_type === "tracks") addTrack(o, true, 8, fetched, null);
      else addArtist(o, true, 8, fetched);
      if (str(o._time_range) === null || str(o._item_type) === null || typeof o._rank !== "number")
        return reject("top_items", o, "missing _time_range, _item_type or _rank");
      if (str(o.id) === null) return reject("top_items", o, "missing id");
      keepBest(
        topItems,
        `${o._time_range}\u0000${o._item_type}\u0000${o._rank}`,
        {
          time_range: str(o._time_range),
          item_type: str(o._item_type),
          rank: o._rank,
          item_id: str(o.id),
          item_name: str(o.name),
          item_uri: str(o.uri),
          _fetched_at: fetched,
        },
        rankOf(true, fetched, 9),
      );
    },
  };

  for (const entity of RAW_ENTITIES) {
    const handle = handlers[entity];
    if (!handle) continue;
    const dir = path.join(rawDir, ...rawPrefix(entity, date).split("/"));
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".ndjson.gz")).sort();
    for (const file of files) {
      const lines = createInterface({
        input: createReadStream(path.join(dir, file)).pipe(createGunzip()),
        crlfDelay: Infinity,
      });
      for await (const line of lines) if (line) handle(JSON.parse(line));
    }
  }

  const bridge = (source: Map<string, Ranked>, key: string): Row[] => {
    const out: Row[] = [];
    for (const [id, { row }] of source) {
      const seen = new Set<string>();
      ((row.artists as Row[] | null) ?? []).forEach((a, i) => {
        const artistId = a.id as string | null;
        if (artistId === null || seen.has(artistId)) return;
        seen.add(artistId);
        out.push({ [key]: id, artist_id: artistId, artist_position: i });
      });
    }
    return out;
  };
  const rowsOf = (map: Map<string, Ranked>): Row[] => Array.from(map.values(), (r) => r.row);
  const albumRows = rowsOf(albums).map((r) => {
    const date = relDate(r.release_date);
    return {
      ...r,
      release_date: date,
      release_date_precision: dateShape(str(r.release_date)) ?? r.release_date_precision,
      release_year: date ? date.getUTCFullYear() : null,
    };
  });

  type Col = [name: string, type: "STRING" | "INT32" | "INT64" | "BOOLEAN" | "TIMESTAMP" | "DATE" | "JSON"];
  const S = "STRING" as const;
  const I = "INT32" as const;
  const L = "INT64" as const;
  const B = "BOOLEAN" as const;
  const T = "TIMESTAMP" as const;
  const tables: [string, Row[], Col[]][] = [
    [
      "artists",
      rowsOf(artists),
      [
        ["artist_id", S],
        ["name", S],
        ["genres", "JSON"],
        ["popularity", I],
        ["followers", L],
        ["image_url", S],
        ["spotify_url", S],
        ["uri", S],
        ["_fetched_at", T],
      ],
    ],
    [
      "albums",
      albumRows,
      [
        ["album_id", S],
        ["name", S],
        ["album_type", S],
        ["release_date", "DATE"],
        ["release_date_precision", S],
        ["total_tracks", I],
        ["label", S],
        ["popularity", I],
        ["upc", S],
        ["image_url", S],
        ["release_year", I],
        ["genres", "JSON"],
        ["spotify_url", S],
        ["uri", S],
        ["_fetched_at", T],
      ],
    ],
    [
      "album_artists",
      bridge(albums, "album_id"),
      [
        ["album_id", S],
        ["artist_id", S],
        ["artist_position", I],
      ],
    ],
    [
      "tracks",
      rowsOf(tracks),
      [
        ["track_id", S],
        ["name", S],
        ["album_id", S],
        ["duration_ms", I],
        ["explicit", B],
        ["disc_number", I],
        ["track_number", I],
        ["isrc", S],
        ["popularity", I],
        ["is_local", B],
        ["spotify_url", S],
        ["uri", S],
        ["_fetched_at", T],
      ],
    ],
    [
      "track_artists",
      bridge(tracks, "track_id"),
      [
        ["track_id", S],
        ["artist_id", S],
        ["artist_position", I],
      ],
    ],
    [
      "playlists",
      rowsOf(playlists),
      [
        ["playlist_id", S],
        ["name", S],
        ["owner_id", S],
        ["snapshot_id", S],
        ["public", B],
        ["collaborative", B],
        ["total_items", I],
        ["owner_name", S],
        ["description", S],
        ["followers", L],
        ["image_url", S],
        ["spotify_url", S],
        ["uri", S],
        ["_fetched_at", T],
      ],
    ],
    [
      "playlist_items",
      rowsOf(playlistItems),
      [
        ["playlist_id", S],
        ["position", I],
        ["item_id", S],
        ["item_type", S],
        ["added_at", T],
        ["added_by", S],
        ["item_uri", S],
        ["item_name", S],
        ["is_local", B],
        ["_fetched_at", T],
      ],
    ],
    [
      "search_results",
      rowsOf(searchResults),
      [
        ["query", S],
        ["search_type", S],
        ["rank", I],
        ["item_id", S],
        ["item_name", S],
        ["item_uri", S],
        ["_fetched_at", T],
      ],
    ],
    [
      "plays",
      rowsOf(plays),
      [
        ["played_at", T],
        ["track_id", S],
        ["context_uri", S],
        ["context_type", S],
        ["_fetched_at", T],
      ],
    ],
    [
      "top_items",
      rowsOf(topItems),
      [
        ["time_range", S],
        ["item_type", S],
        ["rank", I],
        ["item_id", S],
        ["item_name", S],
        ["item_uri", S],
        ["_fetched_at", T],
      ],
    ],
  ];

  await mkdir(outDir, { recursive: true });
  const result: BaselineResult = { rows: {}, rejects: {} };
  for (const [table, rows, cols] of tables) {
    const columnData: ColumnSource[] = cols.map(([name, type]) => ({
      name,
      data: rows.map((r) => {
        const value = r[name] ?? null;
        if (value === null) return null;
        if (type === "JSON") return JSON.stringify(value);
        return (type === "INT64" ? BigInt(value as number) : value) as never;
      }),
      ...(type === "DATE" ? {} : { type: type === "JSON" ? "STRING" : type }),
    }));
    const schema = schemaFromColumnData({
      columnData,
      schemaOverrides: Object.fromEntries(
        cols
          .filter(([, type]) => type === "DATE")
          .map(([name]) => [name, { name, type: "INT32", converted_type: "DATE", repetition_type: "OPTIONAL" }]),
      ),
    });
    parquetWriteFile({
      filename: path.join(outDir, `${table}.parquet`),
      columnData: columnData.map(({ name, data }) => ({ name, data })),
      schema,
    });
    result.rows[table] = rows.length;
  }
  for (const [table, list] of Object.entries(rejects)) {
    await writeFile(
      path.join(outDir, `${table}.rejects.ndjson.gz`),
      gzipSync(`${list.map((o) => JSON.stringify(o)).join("\n")}\n`),
    );
    result.rejects[table] = list.length;
  }
  return result;
}
