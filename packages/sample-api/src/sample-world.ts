/**
 * The sample world's changes over time. Without a world date (or for a date before {@link WORLD_EPOCH}) the sample API
 * answers its base world, a fixed function of the id. From the epoch on, the world is a deterministic function of the
 * id and the world date: artists release albums and singles, playlists are edited (entries added, removed and moved,
 * with a new `snapshot_id`), new plays appear, and artists' names, images and popularity change now and then. What
 * happens on a day is drawn from a PRNG seeded by the id and the day, so every machine and run agrees, and the world
 * of a later date holds every change of the days before it.
 */
import { SampleWorldDateError } from "./errors.ts";
import { BASE62, deriveId, int, seededRandom } from "./sample-seed.ts";

/**
 * The first day of the changing world, unless a server is given another (`worldEpoch`; the steady-state benchmark
 * starts its own on its first day). The base world answers for every date before it: the test suite's runs (dated up
 * to 2026-12-01) keep their exact contents, and `tunelake run` on the sample API sees the world change from here on.
 */
export const WORLD_EPOCH = "2026-12-02";

/** How fast the world changes: small, realistic rates, the only place they are written. */
export const WORLD_RATES = {
  /** The share of artists that release an album or a single in a week. */
  artistReleasesPerWeek: 0.02,
  /** The share of playlists edited on a day. */
  playlistEditsPerDay: 0.05,
  /** The share of artists whose name, images or popularity change in a week. */
  artistFieldChangesPerWeek: 0.01,
  /** The user's plays on a day: at least, at most. */
  playsPerDay: [8, 30],
} as const;

const DAY_MS = 86_400_000;
const epochMs = (epoch: string) => Date.parse(`${epoch}T00:00:00Z`);
/** The changing world is simulated this many days at most (a bound on the work one answer can take). */
const MAX_WORLD_DAYS = 20 * 366;

/**
 * The day of the changing world `date` (YYYY-MM-DD) is: 0 on the epoch; undefined for the base world (no date, or a
 * date before the epoch).
 */
export function worldDayOf(date: string | undefined, epoch = WORLD_EPOCH): number | undefined {
  if (date === undefined) return undefined;
  const ms = calendarMs(date);
  const day = Math.round((ms - calendarMs(epoch)) / DAY_MS);
  if (day > MAX_WORLD_DAYS) {
    throw new SampleWorldDateError({
      date,
      problem: `is past the sample world's end (${MAX_WORLD_DAYS} days after ${epoch})`,
    });
  }
  return day < 0 ? undefined : day;
}

/** `date` (YYYY-MM-DD) at 00:00 UTC, Unix ms; throws SampleWorldDateError for anything else. */
function calendarMs(date: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new SampleWorldDateError({ date, problem: "is not a calendar date" });
  }
  return ms;
}

/** The calendar date of a world day. */
export function dateOfWorldDay(day: number, epoch = WORLD_EPOCH): string {
  return new Date(worldDayStartMs(day, epoch)).toISOString().slice(0, 10);
}

/** Start of a world day, Unix ms. */
export const worldDayStartMs = (day: number, epoch = WORLD_EPOCH): number => epochMs(epoch) + day * DAY_MS;

/**
 * Albums released in the changing world have ids that say their release day: this marker, the day in three base-62
 * digits, then 14 characters seeded by the artist and the day. So a fresh server answers `GET /albums/{id}` for a
 * release it never listed with the same object (a random base id starts with the marker once in ~900 million).
 */
const RELEASE_MARKER = "zzWLD";

function releaseAlbumId(artistId: string, day: number): string {
  const digits = [Math.floor(day / 3844) % 62, Math.floor(day / 62) % 62, day % 62].map((d) => BASE62[d]).join("");
  return `${RELEASE_MARKER}${digits}${deriveId("world-release", artistId, day).slice(0, 14)}`;
}

/** The world day an album was released on, when it is one of the changing world's releases. */
export function releaseDayOf(albumId: string): number | undefined {
  if (!albumId.startsWith(RELEASE_MARKER)) return undefined;
  const [a, b, c] = [...albumId.slice(5, 8)].map((ch) => BASE62.indexOf(ch));
  return (a ?? 0) * 3844 + (b ?? 0) * 62 + (c ?? 0);
}

/**
 * Days 0..`day` on which an event of a daily `rate` happens to the object seeded by `parts`: each day with chance
 * `rate`, drawn as geometric gaps from one PRNG, so the work is one draw per event and a later world date only adds
 * days to the same sequence.
 */
function eventDays(rate: number, day: number, ...parts: readonly string[]): number[] {
  const rand = seededRandom("world", ...parts);
  const gap = () => 1 + Math.floor(Math.log(1 - rand()) / Math.log(1 - rate));
  const days: number[] = [];
  for (let d = gap() - 1; d <= day; d += gap()) days.push(d);
  return days;
}

/** A small cache per world: answers are recomputed only when the world date or the id changes. */
class Memo<T> {
  private readonly map = new Map<string, T>();
  get(key: string, make: () => T): T {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    if (this.map.size > 20_000) this.map.clear();
    const value = make();
    this.map.set(key, value);
    return value;
  }
}

/** A playlist entry of the changing world: a base entry (by its base position) or one added on a world day. */
export type EntryKey = number | { day: number; n: number };

export interface PlaylistState {
  /** The entries in playlist order. */
  entries: EntryKey[];
  /** The last day the playlist was edited (undefined: never, it is the base playlist). */
  editedOn: number | undefined;
  /** The last day the playlist was renamed (an edit of its details). */
  renamedOn: number | undefined;
}

export interface ArtistChanges {
  nameOn: number | undefined;
  imagesOn: number | undefined;
  popularityOn: number | undefined;
}

export interface WorldPlay {
  playedAtMs: number;
  /** Seeds the played track's id. */
  trackSeed: number;
  /** Seeds the play's context. */
  contextSeed: number;
}

/** The changing world as of one world day. */
export class SampleWorld {
  private readonly memo = { releases: new Memo<string[]>(), playlists: new Memo<PlaylistState>() };
  private readonly artistMemo = new Memo<ArtistChanges>();

  constructor(
    readonly day: number,
    readonly epoch = WORLD_EPOCH,
  ) {}

  get date(): string {
    return dateOfWorldDay(this.day, this.epoch);
  }

  /** Album ids an artist released in the changing world up to today, newest first. */
  releases(artistId: string): string[] {
    return this.memo.releases.get(artistId, () =>
      eventDays(WORLD_RATES.artistReleasesPerWeek / 7, this.day, "release", artistId)
        .reverse()
        .map((d) => releaseAlbumId(artistId, d)),
    );
  }

  /** The last day each of an artist's fields changed (name, images, popularity), if it did. */
  artistChanges(artistId: string): ArtistChanges {
    return this.artistMemo.get(artistId, () => {
      const changes: ArtistChanges = { nameOn: undefined, imagesOn: undefined, popularityOn: undefined };
      for (const d of eventDays(WORLD_RATES.artistFieldChangesPerWeek / 7, this.day, "artist-change", artistId)) {
        const field = (["nameOn", "imagesOn", "popularityOn"] as const)[int(seededRandom("field", artistId, d), 0, 2)];
        if (field) changes[field] = d;
      }
      return changes;
    });
  }

  /**
   * A playlist's entries today: its base entries (positions 0..baseTotal-1) after every edit since the epoch. An
   * edit removes a few entries, moves one, and adds a few at the end (as Spotify's clients add them); one edit in ten
   * also renames the playlist.
   */
  playlist(playlistId: string, baseTotal: number): PlaylistState {
    return this.memo.playlists.get(playlistId, () => {
      const state: PlaylistState = {
        entries: Array.from({ length: baseTotal }, (_, i) => i),
        editedOn: undefined,
        renamedOn: undefined,
      };
      for (const d of eventDays(WORLD_RATES.playlistEditsPerDay, this.day, "playlist-edit", playlistId)) {
        const rand = seededRandom("playlist-edit-ops", playlistId, d);
        const { entries } = state;
        for (let r = int(rand, 0, 2); r > 0 && entries.length > 1; r--)
          entries.splice(int(rand, 0, entries.length - 1), 1);
        if (entries.length > 1) {
          const [moved] = entries.splice(int(rand, 0, entries.length - 1), 1);
          if (moved !== undefined) entries.splice(int(rand, 0, entries.length), 0, moved);
        }
        const added = int(rand, 1, 4);
        for (let n = 0; n < added; n++) entries.push({ day: d, n });
        state.editedOn = d;
        if (rand() < 0.1) state.renamedOn = d;
      }
      return state;
    });
  }

  /** The user's last `count` plays up to the end of today, newest first. */
  plays(count: number): WorldPlay[] {
    const plays: WorldPlay[] = [];
    for (let d = this.day; plays.length < count; d--) {
      const rand = seededRandom("plays", d);
      const n = int(rand, WORLD_RATES.playsPerDay[0], WORLD_RATES.playsPerDay[1]);
      // Plays spread over the day from 06:00, a few minutes apart, newest first.
      const times = Array.from(
        { length: n },
        (_, k) => worldDayStartMs(d, this.epoch) + 6 * 3_600_000 + k * 180_000 + int(rand, 0, 150_000),
      );
      for (let k = n - 1; k >= 0 && plays.length < count; k--) {
        plays.push({
          playedAtMs: times[k] ?? 0,
          trackSeed: int(seededRandom("play-track", d, k), 0, 299),
          contextSeed: d + k,
        });
      }
    }
    return plays;
  }
}
