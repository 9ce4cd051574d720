/**
 * Deterministic fake Spotify objects for the sample API. Every object is seeded by its id (and child ids are derived
 * from their parent's id), so any valid id gives the same answer on every run and machine: reruns are comparable and
 * tests can assert exact counts. Names start with "Sample " so nobody mistakes the data for Spotify's.
 */

export type SampleProfile = "development" | "extended";
export type SampleShape = "2025" | "2026";

export interface SampleDataOptions {
  profile: SampleProfile;
  shape: SampleShape;
  /** Absolute API base, e.g. `http://127.0.0.1:1234/v1`, for `href` and `next` links. */
  apiBaseUrl: string;
}

/** The user that the sample refresh token belongs to. */
export const SAMPLE_USER_ID = "sample-user";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Spotify's editorial playlists have ids with this prefix; the development profile answers 404 for them. */
export const EDITORIAL_PLAYLIST_PREFIX = "37i9dQZ";

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A small seeded PRNG (mulberry32): numbers in [0, 1). */
export function seededRandom(...parts: readonly (string | number)[]): () => number {
  let state = fnv1a(parts.join("\u0000"));
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rand: () => number, min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));

/** A valid 22-character base-62 id derived from `parts`. */
export function deriveId(...parts: readonly (string | number)[]): string {
  const rand = seededRandom("id", ...parts);
  let id = "";
  for (let i = 0; i < 22; i++) id += BASE62[Math.floor(rand() * 62)];
  return id;
}

export const SPOTIFY_ID_RE = /^[0-9A-Za-z]{22}$/;

const WORDS = ["Echo", "Velvet", "Neon", "River", "Static", "Golden", "Paper", "Midnight", "Coral", "Signal", "Hollow"];
const GENRES = ["indie pop", "synthwave", "jazz", "techno", "folk", "hip hop", "ambient", "soul"];

function words(rand: () => number, count: number): string {
  return Array.from({ length: count }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(" ");
}

const images = (id: string) => [
  { url: `https://i.scdn.co/image/sample-${id}-640`, height: 640, width: 640 },
  { url: `https://i.scdn.co/image/sample-${id}-300`, height: 300, width: 300 },
];

type Json = Record<string, unknown>;

/** A paging object as Spotify sends it, with absolute `next`/`previous` links. */
export function page(url: URL, items: unknown[], offset: number, limit: number, total: number): Json {
  const at = (o: number) => {
    const next = new URL(url);
    next.searchParams.set("offset", String(o));
    next.searchParams.set("limit", String(limit));
    return next.toString();
  };
  const href = new URL(url);
  href.searchParams.set("offset", String(offset));
  href.searchParams.set("limit", String(limit));
  return {
    href: href.toString(),
    items,
    limit,
    next: offset + limit < total ? at(offset + limit) : null,
    offset,
    previous: offset > 0 ? at(Math.max(0, offset - limit)) : null,
    total,
  };
}

/** The fake Spotify catalogue. */
export class SampleData {
  constructor(readonly options: SampleDataOptions) {}

  private get extended(): boolean {
    return this.options.profile === "extended";
  }

  private url(path: string): URL {
    return new URL(`${this.options.apiBaseUrl}${path}`);
  }

  simplifiedArtist(id: string): Json {
    const rand = seededRandom("artist", id);
    return {
      external_urls: { spotify: `https://open.spotify.com/artist/${id}` },
      href: `${this.options.apiBaseUrl}/artists/${id}`,
      id,
      name: `Sample Artist ${words(rand, 2)}`,
      type: "artist",
      uri: `spotify:artist:${id}`,
    };
  }

  artist(id: string): Json {
    const rand = seededRandom("artist-profile", id);
    const base: Json = { ...this.simplifiedArtist(id), images: images(id) };
    if (!this.extended) return base;
    return {
      ...base,
      followers: { href: null, total: int(rand, 0, 5_000_000) },
      genres: [GENRES[int(rand, 0, GENRES.length - 1)], GENRES[int(rand, 0, GENRES.length - 1)]],
      popularity: int(rand, 0, 100),
    };
  }

  /** Album ids of an artist (newest first) with their group, before `include_groups` filtering. */
  artistAlbumRefs(artistId: string): Array<{ id: string; group: string }> {
    const rand = seededRandom("artist-albums", artistId);
    const count = int(rand, 1, 24);
    return Array.from({ length: count }, (_, i) => {
      const id = deriveId("artist-album", artistId, i);
      return { id, group: this.albumFacts(id).group };
    });
  }

  /** Album ids an artist's albums endpoint lists for these groups. */
  artistAlbumIds(artistId: string, includeGroups: readonly string[] | undefined): string[] {
    return this.artistAlbumRefs(artistId)
      .filter((ref) => !includeGroups || includeGroups.length === 0 || includeGroups.includes(ref.group))
      .map((ref) => ref.id);
  }

  albumFacts(id: string) {
    const rand = seededRandom("album", id);
    const albumType = (["album", "single", "compilation", "album", "single"] as const)[int(rand, 0, 4)] ?? "album";
    const group = albumType === "compilation" ? "compilation" : rand() < 0.15 ? "appears_on" : albumType;
    const year = int(rand, 1965, 2026);
    const month = int(rand, 1, 12);
    const day = int(rand, 1, 28);
    const p = rand();
    const precision = p < 0.15 ? "year" : p < 0.3 ? "month" : "day";
    const pad = (n: number) => String(n).padStart(2, "0");
    const releaseDate =
      precision === "year"
        ? `${year}`
        : precision === "month"
          ? `${year}-${pad(month)}`
          : `${year}-${pad(month)}-${pad(day)}`;
    const totalTracks = rand() < 0.08 ? int(rand, 51, 80) : albumType === "single" ? int(rand, 1, 4) : int(rand, 5, 18);
    const artistCount = rand() < 0.2 ? 2 : 1;
    return {
      albumType,
      group,
      name: `Sample Album ${words(rand, 2)}`,
      releaseDate,
      precision,
      totalTracks,
      artistIds: Array.from({ length: artistCount }, (_, i) => deriveId("album-artist", id, i)),
      label: `Sample Records ${words(rand, 1)}`,
      popularity: int(rand, 0, 100),
      upc: String(int(rand, 100000000, 999999999)).padStart(12, "0"),
    };
  }

  simplifiedAlbum(id: string, forArtist?: string): Json {
    const f = this.albumFacts(id);
    const artistIds = forArtist && !f.artistIds.includes(forArtist) ? [forArtist, ...f.artistIds] : f.artistIds;
    const album: Json = {
      album_type: f.albumType,
      total_tracks: f.totalTracks,
      ...(this.extended ? { available_markets: ["US", "GB", "DE"] } : {}),
      external_urls: { spotify: `https://open.spotify.com/album/${id}` },
      href: `${this.options.apiBaseUrl}/albums/${id}`,
      id,
      images: images(id),
      name: f.name,
      release_date: f.releaseDate,
      release_date_precision: f.precision,
      type: "album",
      uri: `spotify:album:${id}`,
      artists: artistIds.map((a) => this.simplifiedArtist(a)),
    };
    if (forArtist && this.extended) album.album_group = f.group;
    return album;
  }

  albumTrackIds(albumId: string): string[] {
    return Array.from({ length: this.albumFacts(albumId).totalTracks }, (_, i) => deriveId("album-track", albumId, i));
  }

  simplifiedTrack(id: string, albumId: string, index: number): Json {
    const rand = seededRandom("track", id);
    const f = this.albumFacts(albumId);
    return {
      artists: f.artistIds.map((a) => this.simplifiedArtist(a)),
      ...(this.extended ? { available_markets: ["US", "GB", "DE"] } : {}),
      disc_number: 1 + Math.floor(index / 40),
      duration_ms: int(rand, 60_000, 420_000),
      explicit: rand() < 0.2,
      external_urls: { spotify: `https://open.spotify.com/track/${id}` },
      href: `${this.options.apiBaseUrl}/tracks/${id}`,
      id,
      is_local: false,
      name: `Sample Track ${words(rand, 3)}`,
      preview_url: null,
      track_number: (index % 40) + 1,
      type: "track",
      uri: `spotify:track:${id}`,
    };
  }

  albumTracksPage(albumId: string, url: URL, offset: number, limit: number): Json {
    const ids = this.albumTrackIds(albumId);
    const items = ids.slice(offset, offset + limit).map((t, i) => this.simplifiedTrack(t, albumId, offset + i));
    return page(url, items, offset, limit, ids.length);
  }

  album(id: string): Json {
    const f = this.albumFacts(id);
    const full: Json = {
      ...this.simplifiedAlbum(id),
      tracks: this.albumTracksPage(id, this.url(`/albums/${id}/tracks`), 0, 50),
      copyrights: [{ text: "(P) Sample Records", type: "P" }],
      external_ids: { upc: f.upc },
    };
    if (this.extended) {
      full.label = f.label;
      full.popularity = f.popularity;
      full.genres = [];
    }
    return full;
  }

  track(id: string): Json {
    const albumId = deriveId("track-album", id);
    const rand = seededRandom("track-extra", id);
    const full: Json = {
      ...this.simplifiedTrack(id, albumId, int(rand, 0, 9)),
      album: this.simplifiedAlbum(albumId),
      external_ids: { isrc: `QZSAM${String(int(rand, 0, 9999999)).padStart(7, "0")}` },
    };
    if (this.extended) full.popularity = int(rand, 0, 100);
    return full;
  }

  /** Playlists the sample user owns: entries are readable with the user's token in the development profile. */
  playlistOwner(id: string): string {
    if (id.startsWith(EDITORIAL_PLAYLIST_PREFIX)) return "spotify";
    return seededRandom("playlist-owner", id)() < 0.5 ? SAMPLE_USER_ID : `sample-curator-${id.slice(0, 4)}`;
  }

  playlistTotal(id: string): number {
    return int(seededRandom("playlist-total", id), 5, 130);
  }

  episode(id: string): Json {
    const rand = seededRandom("episode", id);
    return {
      duration_ms: int(rand, 600_000, 3_600_000),
      explicit: false,
      href: `${this.options.apiBaseUrl}/episodes/${id}`,
      id,
      name: `Sample Episode ${words(rand, 2)}`,
      release_date: "2026-01-15",
      release_date_precision: "day",
      type: "episode",
      uri: `spotify:episode:${id}`,
    };
  }

  localTrack(playlistId: string, position: number): Json {
    const name = `Sample Local File ${playlistId.slice(0, 4)} ${position}`;
    return {
      album: { album_type: null, artists: [], available_markets: [], id: null, images: [], name: "", type: "album" },
      artists: [{ id: null, name: "Sample Local Artist", type: "artist", uri: "spotify:artist:null" }],
      disc_number: 0,
      duration_ms: 180_000,
      explicit: false,
      external_ids: {},
      id: null,
      is_local: true,
      name,
      track_number: 0,
      type: "track",
      uri: `spotify:local:Sample+Local+Artist::${encodeURIComponent(name)}:180`,
    };
  }

  /** One playlist entry: always a mix of tracks, a removed (null) track, an episode and a local file. */
  playlistEntry(playlistId: string, position: number): Json {
    const key = this.options.shape === "2026" ? "item" : "track";
    const rand = seededRandom("playlist-entry", playlistId, position);
    let item: Json | null;
    let isLocal = false;
    if (position % 17 === 5) item = null;
    else if (position % 13 === 7) item = this.episode(deriveId("playlist-episode", playlistId, position));
    else if (position % 19 === 11) {
      item = this.localTrack(playlistId, position);
      isLocal = true;
    } else item = this.track(deriveId("playlist-track", playlistId, position));
    const day = String(1 + (position % 28)).padStart(2, "0");
    return {
      added_at: `2026-0${1 + Math.floor(rand() * 9)}-${day}T12:00:00Z`,
      added_by: { id: this.playlistOwner(playlistId), type: "user" },
      is_local: isLocal,
      primary_color: null,
      [key]: item,
    };
  }

  playlistEntriesPage(playlistId: string, url: URL, offset: number, limit: number): Json {
    const total = this.playlistTotal(playlistId);
    const items = [];
    for (let p = offset; p < Math.min(total, offset + limit); p++) items.push(this.playlistEntry(playlistId, p));
    return page(url, items, offset, limit, total);
  }

  /** Playlist metadata; the embedded entries page is present only when entries are readable for this caller. */
  playlist(id: string, entriesReadable: boolean): Json {
    const rand = seededRandom("playlist", id);
    const owner = this.playlistOwner(id);
    const key = this.options.shape === "2026" ? "items" : "tracks";
    const entriesUrl = this.url(`/playlists/${id}/${key}`);
    const total = this.playlistTotal(id);
    const entries = entriesReadable
      ? this.playlistEntriesPage(id, entriesUrl, 0, this.options.shape === "2026" ? 50 : 100)
      : { href: entriesUrl.toString(), total };
    return {
      collaborative: false,
      description: "Sample playlist generated by tunelake's sample API",
      external_urls: { spotify: `https://open.spotify.com/playlist/${id}` },
      ...(this.extended ? { followers: { href: null, total: int(rand, 0, 100_000) } } : {}),
      href: `${this.options.apiBaseUrl}/playlists/${id}`,
      id,
      images: images(id),
      name: `Sample Playlist ${words(rand, 2)}`,
      owner: {
        display_name: owner,
        external_urls: { spotify: `https://open.spotify.com/user/${owner}` },
        href: `${this.options.apiBaseUrl}/users/${owner}`,
        id: owner,
        type: "user",
        uri: `spotify:user:${owner}`,
      },
      public: rand() < 0.8,
      snapshot_id: `sample-snapshot-${deriveId("snapshot", id).slice(0, 12)}`,
      [key]: entries,
      type: "playlist",
      uri: `spotify:playlist:${id}`,
    };
  }

  searchTotal(query: string, type: string): number {
    return int(seededRandom("search-total", query, type), 120, 400);
  }

  searchItem(query: string, type: string, rank: number): Json {
    const id = deriveId("search", query, type, rank);
    switch (type) {
      case "artist":
        return this.artist(id);
      case "track":
        return this.track(id);
      case "playlist":
        return (({ tracks, items, ...meta }) => meta)(this.playlist(id, false));
      default:
        return this.simplifiedAlbum(id);
    }
  }

  recentlyPlayed(limit: number): Json[] {
    return Array.from({ length: Math.min(limit, 50) }, (_, i) => ({
      context: { type: "playlist", uri: `spotify:playlist:${deriveId("recent-context", i % 3)}` },
      played_at: new Date(Date.UTC(2026, 10, 20, 23, 0, 0) - i * 200_000).toISOString(),
      track: this.track(deriveId("recent", i)),
    }));
  }

  topItem(type: string, timeRange: string, rank: number): Json {
    const id = deriveId("top", type, timeRange, rank);
    return type === "artists" ? this.artist(id) : this.track(id);
  }

  /** The user's saved tracks (`savedTracks` source), newest first: 60 of them, two pages of 50. */
  savedTracks(): Json[] {
    return Array.from({ length: 60 }, (_, i) => ({
      added_at: new Date(Date.UTC(2026, 9, 31, 12, 0, 0) - i * 86_400_000).toISOString(),
      track: this.track(deriveId("saved-track", i)),
    }));
  }

  /** The user's saved albums (`savedAlbums` source), newest first: 25 of them, one page. */
  savedAlbums(): Json[] {
    return Array.from({ length: 25 }, (_, i) => ({
      added_at: new Date(Date.UTC(2026, 8, 30, 18, 0, 0) - i * 604_800_000).toISOString(),
      album: this.album(deriveId("saved-album", i)),
    }));
  }

  /** The artists the user follows (`followedArtists` source), in cursor order: 70 of them, two pages of 50. */
  followedArtists(): Json[] {
    return Array.from({ length: 70 }, (_, i) => this.artist(deriveId("followed-artist", i)));
  }
}
