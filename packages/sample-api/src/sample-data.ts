/**
 * Deterministic fake Spotify objects for the sample API. Every object is seeded by its id (and child ids are derived
 * from their parent's id), so any valid id gives the same answer on every run and machine: reruns are comparable and
 * tests can assert exact counts. From the world's epoch on, what an id answers also depends on the world date
 * (sample-world.ts): releases, playlist edits, plays and field changes. Names start with "Sample " so nobody mistakes
 * the data for Spotify's.
 */
import { deriveId, int, seededRandom } from "./sample-seed.ts";
import { dateOfWorldDay, type EntryKey, releaseDayOf, SampleWorld, WORLD_EPOCH, worldDayOf } from "./sample-world.ts";

export { deriveId, seededRandom };

export type SampleProfile = "development" | "extended";
export type SampleShape = "2025" | "2026";

export interface SampleDataOptions {
  profile: SampleProfile;
  shape: SampleShape;
  /** Absolute API base, e.g. `http://127.0.0.1:1234/v1`, for `href` and `next` links. */
  apiBaseUrl: string;
  /** The world date (YYYY-MM-DD); none, or one before the world's epoch, is the base world (sample-world.ts). */
  worldDate?: string;
  /** The first day of the changing world (default WORLD_EPOCH). */
  worldEpoch?: string;
}

/** The user that the sample refresh token belongs to. */
export const SAMPLE_USER_ID = "sample-user";

/** Spotify's editorial playlists have ids with this prefix; the development profile answers 404 for them. */
export const EDITORIAL_PLAYLIST_PREFIX = "37i9dQZ";

export const SPOTIFY_ID_RE = /^[0-9A-Za-z]{22}$/;

const WORDS = ["Echo", "Velvet", "Neon", "River", "Static", "Golden", "Paper", "Midnight", "Coral", "Signal", "Hollow"];
const GENRES = ["indie pop", "synthwave", "jazz", "techno", "folk", "hip hop", "ambient", "soul"];

function words(rand: () => number, count: number): string {
  return Array.from({ length: count }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(" ");
}

/** An object's images; a `version` (the world day they changed) gives new URLs. */
const images = (id: string, version?: number) => {
  const name = version === undefined ? `sample-${id}` : `sample-${id}-v${version}`;
  return [
    { url: `https://i.scdn.co/image/${name}-640`, height: 640, width: 640 },
    { url: `https://i.scdn.co/image/${name}-300`, height: 300, width: 300 },
  ];
};

/** The order Spotify lists an artist's album groups in; `album` and `single` are newest first within the group. */
const GROUP_ORDER = ["album", "single", "appears_on", "compilation"];

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
  private world: SampleWorld | undefined;
  private readonly epoch: string;

  constructor(readonly options: SampleDataOptions) {
    this.epoch = options.worldEpoch ?? WORLD_EPOCH;
    worldDayOf(this.epoch, this.epoch);
    this.setWorldDate(options.worldDate);
  }

  /** Moves the world to `date` (undefined: the base world); throws SampleWorldDateError for a date that is not one. */
  setWorldDate(date: string | undefined): void {
    const day = worldDayOf(date, this.epoch);
    if (day !== this.world?.day) this.world = day === undefined ? undefined : new SampleWorld(day, this.epoch);
  }

  /** The world date the data answers for: undefined in the base world. */
  get worldDate(): string | undefined {
    return this.world?.date;
  }

  private get extended(): boolean {
    return this.options.profile === "extended";
  }

  private url(path: string): URL {
    return new URL(`${this.options.apiBaseUrl}${path}`);
  }

  simplifiedArtist(id: string): Json {
    const renamedOn = this.world?.artistChanges(id).nameOn;
    const rand = renamedOn === undefined ? seededRandom("artist", id) : seededRandom("artist-renamed", id, renamedOn);
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
    const changes = this.world?.artistChanges(id);
    const base: Json = { ...this.simplifiedArtist(id), images: images(id, changes?.imagesOn) };
    if (!this.extended) return base;
    const popularity = int(rand, 0, 100);
    return {
      ...base,
      followers: { href: null, total: int(rand, 0, 5_000_000) },
      genres: [GENRES[int(rand, 0, GENRES.length - 1)], GENRES[int(rand, 0, GENRES.length - 1)]],
      popularity:
        changes?.popularityOn === undefined
          ? popularity
          : int(seededRandom("artist-popularity", id, changes.popularityOn), 0, 100),
    };
  }

  /**
   * Album ids of an artist with their group, before `include_groups` filtering. In the changing world, as Spotify
   * lists them: its releases since the epoch beside the base albums, the groups in a fixed order, `album` and `single`
   * newest first (`appears_on` in no particular order). The base world keeps its own order.
   */
  artistAlbumRefs(artistId: string): Array<{ id: string; group: string }> {
    const rand = seededRandom("artist-albums", artistId);
    const count = int(rand, 1, 24);
    const base = Array.from({ length: count }, (_, i) => {
      const id = deriveId("artist-album", artistId, i);
      return { id, group: this.albumFacts(id).group };
    });
    if (!this.world) return base;
    const refs = [...this.world.releases(artistId).map((id) => ({ id, group: this.albumFacts(id).group })), ...base];
    const released = (id: string) => this.albumFacts(id).releaseDate;
    return GROUP_ORDER.flatMap((group) => {
      const inGroup = refs.filter((ref) => ref.group === group);
      // A stable sort: albums of one release date keep their order.
      return group === "appears_on" ? inGroup : inGroup.sort((a, b) => released(b.id).localeCompare(released(a.id)));
    });
  }

  /** Album ids an artist's albums endpoint lists for these groups. */
  artistAlbumIds(artistId: string, includeGroups: readonly string[] | undefined): string[] {
    return this.artistAlbumRefs(artistId)
      .filter((ref) => !includeGroups || includeGroups.length === 0 || includeGroups.includes(ref.group))
      .map((ref) => ref.id);
  }

  /** An album's facts are a pure function of its id (and the fixed epoch): remembered, as every track asks for them. */
  private readonly facts = new Map<string, ReturnType<SampleData["computeAlbumFacts"]>>();

  albumFacts(id: string) {
    let facts = this.facts.get(id);
    if (!facts) {
      // Bounded: a long bench run names many albums; starting over costs a recomputation, never a wrong answer.
      if (this.facts.size >= 100_000) this.facts.clear();
      facts = this.computeAlbumFacts(id);
      this.facts.set(id, facts);
    }
    return facts;
  }

  private computeAlbumFacts(id: string) {
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
    const baseTracks = rand() < 0.08 ? int(rand, 51, 80) : albumType === "single" ? int(rand, 1, 4) : int(rand, 5, 18);
    const artistCount = rand() < 0.2 ? 2 : 1;
    // A release of the changing world: an album or a single, out on the day its id says.
    const releaseDay = releaseDayOf(id);
    const released =
      releaseDay === undefined ? undefined : seededRandom("release-type", id)() < 0.6 ? "single" : "album";
    return {
      albumType: released ?? albumType,
      group: released ?? group,
      name: `Sample Album ${words(rand, 2)}`,
      releaseDate: releaseDay === undefined ? releaseDate : dateOfWorldDay(releaseDay, this.epoch),
      precision: releaseDay === undefined ? precision : "day",
      totalTracks: released === "single" && baseTracks > 4 ? 1 + (baseTracks % 4) : baseTracks,
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

  /** The playlist's entries today: its base positions, edited by the changing world. */
  playlistEntryKeys(id: string): EntryKey[] {
    const total = int(seededRandom("playlist-total", id), 5, 130);
    return this.world ? this.world.playlist(id, total).entries : Array.from({ length: total }, (_, i) => i);
  }

  playlistTotal(id: string): number {
    return this.playlistEntryKeys(id).length;
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

  /**
   * One playlist entry: always a mix of tracks, a removed (null) track, an episode and a local file. A number is a
   * base entry (by its base position); an entry the changing world added is a track added on that day.
   */
  playlistEntry(playlistId: string, position: EntryKey): Json {
    const key = this.options.shape === "2026" ? "item" : "track";
    if (typeof position === "object") {
      const addedAt = new Date(
        Date.parse(`${dateOfWorldDay(position.day, this.epoch)}T12:00:00Z`) + position.n * 60_000,
      );
      return {
        added_at: addedAt.toISOString().replace(".000Z", "Z"),
        added_by: { id: this.playlistOwner(playlistId), type: "user" },
        is_local: false,
        primary_color: null,
        [key]: this.track(deriveId("playlist-added", playlistId, position.day, position.n)),
      };
    }
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
    const keys = this.playlistEntryKeys(playlistId);
    const items = keys.slice(offset, offset + limit).map((key) => this.playlistEntry(playlistId, key));
    return page(url, items, offset, limit, keys.length);
  }

  /**
   * Playlist metadata; the embedded entries page is present only when entries are readable for this caller. Where
   * they are not (a playlist the caller does not own), Spotify leaves out the item count: only the reference stays.
   */
  playlist(id: string, entriesReadable: boolean): Json {
    const state = this.world?.playlist(id, int(seededRandom("playlist-total", id), 5, 130));
    const rand = seededRandom("playlist", id);
    const owner = this.playlistOwner(id);
    const key = this.options.shape === "2026" ? "items" : "tracks";
    const entriesUrl = this.url(`/playlists/${id}/${key}`);
    const entries = entriesReadable
      ? this.playlistEntriesPage(id, entriesUrl, 0, this.options.shape === "2026" ? 50 : 100)
      : { href: entriesUrl.toString() };
    const name = `Sample Playlist ${words(rand, 2)}`;
    const editedOn = state?.editedOn;
    return {
      collaborative: false,
      description: "Sample playlist generated by tunelake's sample API",
      external_urls: { spotify: `https://open.spotify.com/playlist/${id}` },
      ...(this.extended ? { followers: { href: null, total: int(rand, 0, 100_000) } } : {}),
      href: `${this.options.apiBaseUrl}/playlists/${id}`,
      id,
      images: images(id),
      name:
        state?.renamedOn === undefined
          ? name
          : `Sample Playlist ${words(seededRandom("playlist-renamed", id, state.renamedOn), 2)}`,
      owner: {
        display_name: owner,
        external_urls: { spotify: `https://open.spotify.com/user/${owner}` },
        href: `${this.options.apiBaseUrl}/users/${owner}`,
        id: owner,
        type: "user",
        uri: `spotify:user:${owner}`,
      },
      public: rand() < 0.8,
      // A new snapshot with every edit, the same one between edits.
      snapshot_id: `sample-snapshot-${(editedOn === undefined ? deriveId("snapshot", id) : deriveId("snapshot", id, editedOn)).slice(0, 12)}`,
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

  /** The user's last plays, newest first: in the changing world, the last ones up to the end of the world date. */
  recentlyPlayed(limit: number): Json[] {
    if (this.world) {
      return this.world.plays(Math.min(limit, 50)).map((play) => ({
        context: { type: "playlist", uri: `spotify:playlist:${deriveId("recent-context", play.contextSeed % 3)}` },
        played_at: new Date(play.playedAtMs).toISOString(),
        track: this.track(deriveId("recent", play.trackSeed)),
      }));
    }
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
