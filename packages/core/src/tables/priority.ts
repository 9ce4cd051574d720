/**
 * How much a copy of an object is trusted when several copies of it arrive on one run date, by name: the staging
 * models keep, per column, the value of the best copy that has one (full objects first, then the newest fetch, then
 * this priority). Names say what kind of copy it is, so a source picks one without knowing the others' numbers.
 */
export const COPY_PRIORITY = {
  /** The object asked for by id (`GET /tracks/{id}`, `/albums/{id}`, `/artists/{id}`). */
  full: 9,
  /** An item of the user's top lists. */
  top: 8,
  /** The track of a recent play. */
  recent: 7,
  /** A search result. */
  search: 6,
  /** An entry of a listing endpoint (playlist items, an artist's albums). */
  listing: 5,
  /** An object inside a page embedded in another object (a playlist's first entries). */
  embedded: 4,
  /** A child object listed under its parent (album tracks, the album of a track, an album's artists). */
  child: 3,
  /** An object nested two levels down (an album's embedded tracks, a track's artists). */
  nested: 2,
  /** An object of the user's library (saved tracks and albums, followed artists). */
  library: 1,
} as const;
export type CopyPriority = keyof typeof COPY_PRIORITY;

/** The priority digit of a named copy kind, for `fetch_rank(full, fetched, prio)`. */
export const priority = (name: CopyPriority): number => COPY_PRIORITY[name];
