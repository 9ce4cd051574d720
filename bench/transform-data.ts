/**
 * Synthetic raw zone for the transform benchmark: N playlist entries (both API shapes, with episodes, local files
 * and removed tracks) whose tracks, albums and artists repeat across playlists, plus the smaller raw entities, as
 * gzip NDJSON in the lake layout. Deterministic (seeded), shaped like real Spotify objects (pre-2026 objects carry
 * `available_markets` and `popularity`, as Spotify returned them).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { MAX_RAW_LINE_BYTES } from "../packages/core/src/extract/raw-line.ts";
import { DEFAULT_PART_SIZE } from "../packages/core/src/extract/raw-writer.ts";
import { manifestKey, type RawEntity, rawKey } from "../packages/core/src/lake.ts";

const gzipAsync = promisify(gzip);

/** Mulberry32: a small seeded PRNG so every run measures the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MARKETS =
  "AD AE AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ CA CD CG CH CI CL CM CO CR CV CW CY CZ DE DJ DK DM DO DZ EC EE EG ES ET FI FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW GY HK HN HR HT HU ID IE IL IN IQ IS IT JM JO JP KE KG KH KI KM KN KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MH MK ML MN MO MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PR PS PT PW PY QA RO RS RW SA SB SC SE SG SI SK SL SM SN SR ST SV SZ TD TG TH TJ TL TN TO TR TT TV TW TZ UA UG US UY UZ VC VE VN VU WS XK ZA ZM ZW".split(
    " ",
  );

export interface SyntheticDay {
  date: string;
  /** Playlist entries written (the benchmark's N). */
  items: number;
}

/** Writes the synthetic raw zone for `date` under `rawDir` (an FsObjectStore root). */
export async function writeSyntheticRaw(rawDir: string, items: number, date = "2026-11-20"): Promise<SyntheticDay> {
  const random = rng(42);
  const pick = (n: number): number => Math.floor(random() * n);
  // Popular tracks repeat across playlists (skewed choice), as in real playlists.
  const skewed = (n: number): number => Math.floor(n * random() ** 2);
  const artistCount = Math.max(50, Math.round(items / 25));
  const albumCount = Math.max(100, Math.round(items / 10));
  const trackCount = Math.max(300, Math.round(items / 2.5));
  const fetchedAt = (): string => new Date(Date.parse(`${date}T06:00:00Z`) + pick(12 * 3600_000)).toISOString();
  const url = (kind: string, id: string) => ({ spotify: `https://open.spotify.com/${kind}/${id}` });
  const artistId = (i: number) => `ar${String(i).padStart(20, "0")}`.slice(0, 22);
  const albumId = (i: number) => `al${String(i).padStart(20, "0")}`.slice(0, 22);
  const trackId = (i: number) => `tr${String(i).padStart(20, "0")}`.slice(0, 22);

  const simpleArtist = (i: number) => ({
    external_urls: url("artist", artistId(i)),
    href: `https://api.spotify.com/v1/artists/${artistId(i)}`,
    id: artistId(i),
    name: `Artist ${i}`,
    type: "artist",
    uri: `spotify:artist:${artistId(i)}`,
  });
  const albumArtists = (i: number) => [
    simpleArtist(i % artistCount),
    ...(i % 5 === 0 ? [simpleArtist((i * 7) % artistCount)] : []),
  ];
  const trackArtists = (i: number) => [
    simpleArtist((i * 13) % artistCount),
    ...(i % 3 === 0 ? [simpleArtist((i * 31) % artistCount)] : []),
  ];
  const releaseDate = (i: number): [string, string] =>
    i % 10 === 0
      ? [`${1970 + (i % 50)}`, "year"]
      : i % 10 === 1
        ? [`${1970 + (i % 50)}-0${1 + (i % 9)}`, "month"]
        : [`${1970 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`, "day"];
  const images = (id: string) =>
    [640, 300, 64].map((s) => ({ height: s, url: `https://i.scdn.co/image/${id}${s}`, width: s }));
  const simpleAlbum = (i: number, old: boolean) => {
    const [release_date, release_date_precision] = releaseDate(i);
    return {
      album_type: i % 4 === 0 ? "single" : "album",
      artists: albumArtists(i),
      ...(old ? { available_markets: MARKETS } : {}),
      external_urls: url("album", albumId(i)),
      href: `https://api.spotify.com/v1/albums/${albumId(i)}`,
      id: albumId(i),
      images: images(albumId(i)),
      name: `Album ${i}`,
      release_date,
      release_date_precision,
      total_tracks: 10,
      type: "album",
      uri: `spotify:album:${albumId(i)}`,
    };
  };
  const simpleTrack = (i: number, old: boolean) => ({
    artists: trackArtists(i),
    ...(old ? { available_markets: MARKETS } : {}),
    disc_number: 1,
    duration_ms: 120_000 + ((i * 7919) % 240_000),
    explicit: i % 7 === 0,
    external_urls: url("track", trackId(i)),
    href: `https://api.spotify.com/v1/tracks/${trackId(i)}`,
    id: trackId(i),
    is_local: false,
    is_playable: true,
    name: `Track ${i}`,
    preview_url: null,
    track_number: 1 + (i % 10),
    type: "track",
    uri: `spotify:track:${trackId(i)}`,
  });
  const fullTrack = (i: number, old: boolean) => ({
    album: simpleAlbum(i % albumCount, old),
    ...simpleTrack(i, old),
    external_ids: { isrc: `USRC1${String(i).padStart(7, "0")}` },
    ...(old ? { popularity: i % 100 } : {}),
  });
  const episode = (i: number) => ({
    description: "An episode",
    duration_ms: 1_800_000,
    explicit: false,
    external_urls: url("episode", `ep${i}`),
    id: `ep${String(i).padStart(20, "0")}`,
    name: `Episode ${i}`,
    release_date: "2026-10-01",
    release_date_precision: "day",
    show: { id: "show1", name: "Show" },
    type: "episode",
    uri: `spotify:episode:ep${i}`,
  });
  const localFile = (i: number) => ({
    album: { album_type: null, artists: [], images: [], name: "Local", release_date: null, type: "album", uri: null },
    artists: [{ external_urls: {}, href: null, id: null, name: "Local Artist", type: "artist", uri: null }],
    duration_ms: 200_000,
    explicit: false,
    external_ids: {},
    external_urls: {},
    id: null,
    is_local: true,
    name: `Local ${i}`,
    type: "track",
    uri: `spotify:local:Local+Artist:Local:Local+${i}:200`,
  });

  const lines: Partial<Record<RawEntity, string[]>> = {};
  const push = (entity: RawEntity, object: unknown) => {
    const list = lines[entity] ?? [];
    list.push(JSON.stringify(object));
    lines[entity] = list;
  };

  const perPlaylist = 100;
  const playlistCount = Math.ceil(items / perPlaylist);
  let written = 0;
  for (let p = 0; p < playlistCount; p++) {
    const old = p % 2 === 0;
    const id = `pl${String(p).padStart(20, "0")}`;
    const count = Math.min(perPlaylist, items - written);
    push("playlists", {
      collaborative: false,
      description: p % 3 === 0 ? "" : `Playlist ${p}`,
      external_urls: url("playlist", id),
      ...(old ? { followers: { href: null, total: p } } : {}),
      href: `https://api.spotify.com/v1/playlists/${id}`,
      id,
      images: images(id),
      name: `Playlist ${p}`,
      owner: { display_name: `User ${p % 97}`, id: `user${p % 97}`, type: "user", uri: `spotify:user:user${p % 97}` },
      public: p % 5 !== 0,
      snapshot_id: `snap${p}`,
      [old ? "tracks" : "items"]: { href: `https://api.spotify.com/v1/playlists/${id}/tracks`, total: count },
      type: "playlist",
      uri: `spotify:playlist:${id}`,
      _fetched_at: fetchedAt(),
      _source: `playlist:${id}`,
    });
    const fetched = fetchedAt();
    for (let position = 0; position < count; position++) {
      const roll = random();
      const item =
        roll < 0.01
          ? null
          : roll < 0.02
            ? localFile(position)
            : roll < 0.04
              ? episode(pick(500))
              : fullTrack(skewed(trackCount), old);
      push("playlist_items", {
        added_at: new Date(Date.parse("2020-01-01T00:00:00Z") + pick(2e11)).toISOString().replace(/\.\d+Z$/, "Z"),
        added_by: { external_urls: url("user", `user${p % 97}`), href: null, id: `user${p % 97}`, type: "user" },
        is_local: item !== null && (item as { is_local?: boolean }).is_local === true,
        primary_color: null,
        [old ? "track" : "item"]: item,
        video_thumbnail: { url: null },
        _fetched_at: fetched,
        _source: `playlist:${id}/items`,
        _playlist_id: id,
        _position: position,
      });
      written++;
    }
  }
  const small = Math.max(10, Math.round(items / 40));
  for (let i = 0; i < small; i++) {
    const old = i % 2 === 0;
    push("tracks", { ...fullTrack(pick(trackCount), old), _fetched_at: fetchedAt(), _source: "tracks" });
    const a = pick(albumCount);
    push("albums", {
      ...simpleAlbum(a, old),
      copyrights: [{ text: "(C) Label", type: "C" }],
      external_ids: { upc: String(a).padStart(12, "0") },
      genres: [],
      ...(old ? { label: `Label ${a % 50}`, popularity: a % 100 } : {}),
      tracks: {
        href: null,
        items: [0, 1, 2].map((k) => simpleTrack((a * 3 + k) % trackCount, old)),
        limit: 50,
        next: null,
        offset: 0,
        previous: null,
        total: 3,
      },
      _fetched_at: fetchedAt(),
      _source: `album:${albumId(a)}`,
    });
    const r = pick(artistCount);
    push("artists", {
      ...simpleArtist(r),
      ...(old ? { followers: { href: null, total: r * 11 }, genres: ["pop", "indie"], popularity: r % 100 } : {}),
      images: images(artistId(r)),
      _fetched_at: fetchedAt(),
      _source: `artist:${artistId(r)}`,
    });
    push("album_tracks", {
      ...simpleTrack(pick(trackCount), old),
      _fetched_at: fetchedAt(),
      _source: "album_tracks",
      _album_id: albumId(a),
      _position: i % 10,
    });
    push("artist_albums", {
      ...simpleAlbum(pick(albumCount), old),
      _fetched_at: fetchedAt(),
      _source: "artist_albums",
      _artist_id: artistId(r),
    });
    push("search_results", {
      ...simpleAlbum(pick(albumCount), false),
      _fetched_at: fetchedAt(),
      _source: "search",
      _query: `tag:new ${i % 20}`,
      _search_type: "album",
      _rank: Math.floor(i / 20),
    });
  }
  for (let i = 0; i < 50; i++) {
    push("recently_played", {
      context: { type: "playlist", uri: "spotify:playlist:pl1" },
      played_at: new Date(Date.parse(`${date}T00:00:00Z`) - i * 200_000).toISOString(),
      track: fullTrack(pick(trackCount), false),
      _fetched_at: fetchedAt(),
      _source: "me:recently-played",
    });
    push("top_items", {
      ...fullTrack(pick(trackCount), false),
      _fetched_at: fetchedAt(),
      _source: "me:top",
      _time_range: "short_term",
      _item_type: "tracks",
      _rank: i,
    });
  }

  // Parts of at most DEFAULT_PART_SIZE lines, as the extract writes them (several parts per large entity, which
  // DuckDB decompresses and parses in parallel).
  const writes: Promise<void>[] = [];
  const keys: string[] = [];
  for (const [entity, list] of Object.entries(lines) as [RawEntity, string[]][]) {
    for (let part = 0; part * DEFAULT_PART_SIZE < list.length; part++) {
      const text = `${list.slice(part * DEFAULT_PART_SIZE, (part + 1) * DEFAULT_PART_SIZE).join("\n")}\n`;
      keys.push(rawKey(entity, date, part));
      const file = path.join(rawDir, ...rawKey(entity, date, part).split("/"));
      writes.push(
        (async () => {
          await mkdir(path.dirname(file), { recursive: true });
          await writeFile(file, await gzipAsync(text));
        })(),
      );
    }
  }
  await Promise.all(writes);
  // The manifest's fields the transform reads, as the extract writes them: the day's keys and its line limit.
  const manifest = path.join(rawDir, ...manifestKey(date).split("/"));
  await mkdir(path.dirname(manifest), { recursive: true });
  await writeFile(manifest, JSON.stringify({ date, keys, lineLimit: MAX_RAW_LINE_BYTES }));
  return { date, items: written };
}
