/**
 * The last known objects, for incremental runs (docs/tables.md, "Incremental runs"): the raw zone of
 * the latest earlier run date that has a manifest (the base). Each published day is complete (objects not fetched on
 * it were carried forward into it), so its raw lines are every last known object, with its `_fetched_at`, each
 * playlist's `snapshot_id`, each artist's album ids per include group, and whether it was carried forward stale.
 * Only earlier dates count, so a reprocess of a date reads the same base its first run read.
 */
import type { Capability } from "./access.ts";
import type { KnownStamp } from "./refresh.ts";

/**
 * A source whose work in one quota bucket was carried forward stale: the bucket was exhausted (`reason` says how),
 * and `since` is the first run date of this stale streak (a source stale on the base day keeps its `since`).
 */
export interface StaleRecord {
  source: string;
  bucket: string;
  reason: string;
  since: string;
}

/** One known raw line: the object with its provenance, as stored. */
export type KnownObject = Record<string, unknown>;

export interface KnownEntry extends KnownStamp {
  object: KnownObject;
}

/** The entities an incremental run carries forward (the others are read in full every run). */
export const CARRIED = [
  "artists",
  "artist_albums",
  "albums",
  "album_tracks",
  "tracks",
  "playlists",
  "playlist_items",
] as const;
export type CarriedEntity = (typeof CARRIED)[number];

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

function entryOf(object: KnownObject): KnownEntry {
  return { object, fetchedAt: str(object._fetched_at) ?? "", stale: str(object._stale) };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export class KnownState {
  readonly artists = new Map<string, KnownEntry>();
  readonly tracks = new Map<string, KnownEntry>();
  readonly albums = new Map<string, KnownEntry>();
  /** Album tracks per album id, in position order. */
  readonly albumTracks = new Map<string, KnownEntry[]>();
  /** An artist's listed albums per include group, in the order Spotify listed them. */
  readonly artistAlbums = new Map<string, Map<string, KnownEntry[]>>();
  readonly playlists = new Map<string, KnownEntry>();
  /** Playlist entries per playlist id, in position order. */
  readonly playlistItems = new Map<string, KnownEntry[]>();

  /**
   * @param base the run date the state was read from (undefined: none, every object is new).
   * @param capabilities what the base run learnt of the app's access (an `auto` run starts from it).
   * @param stale the base run's stale sources (a source still stale keeps its `since`).
   */
  constructor(
    readonly base: string | undefined,
    readonly capabilities?: Partial<Record<Capability, "yes" | "no" | "unknown">>,
    readonly stale: readonly StaleRecord[] = [],
  ) {}

  /** The lines that carry the object (or list) of a unit key forward: `artist:`, `track:`, `album:` (with its tracks),
   * `playlist:` (with its entries), `artist_albums:` (every include group); none for other keys. */
  linesOf(key: string): { entity: CarriedEntity; entry: KnownEntry }[] {
    const at = key.indexOf(":");
    const kind = key.slice(0, at);
    const id = key.slice(at + 1);
    const one = (entity: CarriedEntity, entry: KnownEntry | undefined) => (entry ? [{ entity, entry }] : []);
    const many = (entity: CarriedEntity, entries: readonly KnownEntry[] | undefined) =>
      (entries ?? []).map((entry) => ({ entity, entry }));
    switch (kind) {
      case "artist":
        return one("artists", this.artists.get(id));
      case "track":
        return one("tracks", this.tracks.get(id));
      case "album": {
        const album = this.albums.get(id);
        return album ? [...one("albums", album), ...many("album_tracks", this.albumTracks.get(id))] : [];
      }
      case "playlist": {
        const playlist = this.playlists.get(id);
        return playlist ? [...one("playlists", playlist), ...many("playlist_items", this.playlistItems.get(id))] : [];
      }
      case "artist_albums":
        return [...(this.artistAlbums.get(id)?.values() ?? [])].flatMap((list) => many("artist_albums", list));
      default:
        return [];
    }
  }

  /** Adds one raw line of `entity` (only lines that identify their object are kept). */
  add(entity: CarriedEntity, object: KnownObject): void {
    const id = str(object.id);
    const entry = entryOf(object);
    switch (entity) {
      case "artists":
        if (id) this.artists.set(id, entry);
        return;
      case "tracks":
        if (id) this.tracks.set(id, entry);
        return;
      case "albums":
        if (id) this.albums.set(id, entry);
        return;
      case "playlists":
        if (id) this.playlists.set(id, entry);
        return;
      case "album_tracks": {
        const album = str(object._album_id);
        if (album) push(this.albumTracks, album, entry);
        return;
      }
      case "playlist_items": {
        const playlist = str(object._playlist_id);
        if (playlist) push(this.playlistItems, playlist, entry);
        return;
      }
      case "artist_albums": {
        const artist = str(object._artist_id);
        // Lines without the group they were listed under (written before groups were asked one by one) are not a
        // known list: that artist is listed again in full.
        const group = str(object._include_group);
        if (!artist || !group) return;
        const groups = this.artistAlbums.get(artist) ?? new Map<string, KnownEntry[]>();
        this.artistAlbums.set(artist, groups);
        push(groups, group, entry);
      }
    }
  }

  /** Sorts the positioned lists (parts are written as units finish, not in position order). */
  finish(): this {
    const byPosition = (a: KnownEntry, b: KnownEntry) => Number(a.object._position) - Number(b.object._position);
    for (const list of this.albumTracks.values()) list.sort(byPosition);
    for (const list of this.playlistItems.values()) list.sort(byPosition);
    return this;
  }
}

/**
 * The raw line that carries a known object into run date `date`: the object and its provenance unchanged, plus
 * `_carried_from` (the run date whose raw zone holds the fetch) and, when it is carried because its quota bucket was
 * exhausted, `_stale` (the bucket); a carried line that is not stale drops an earlier `_stale`.
 */
export function carriedLine(entry: KnownEntry, base: string, staleBucket?: string): string {
  const { _stale: _drop, ...object } = entry.object;
  const from = str(object._carried_from) ?? base;
  return JSON.stringify({ ...object, _carried_from: from, ...(staleBucket ? { _stale: staleBucket } : {}) });
}
