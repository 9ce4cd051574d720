/**
 * A Spotify source is one declaration (`defineSource`, after dlt's `EndpointResource`): its config entries, the OAuth
 * scope it needs, its endpoint and paginator, the schema its items must meet, the raw entities it writes with their
 * columns, the staging models it feeds (with a named priority), and how it plans its work units from the config.
 * The extract runs the planned units (extract/run-extract.ts), the transform reads the raw columns and feeds, the
 * config schema, `tunelake auth`'s scopes and the sample API's routes are derived from the registry
 * (sources/index.ts).
 *
 * This module and the declarations import nothing of the lake layout or the whole config schema, so both can derive
 * their lists from the registry.
 */
import type * as v from "valibot";
import type { Collected } from "../extract/collected.ts";
import type { ExtractContext } from "../extract/context.ts";
import type { KnownEntry, KnownState } from "../extract/known-objects.ts";
import type { KnownStamp, RefreshKind } from "../extract/refresh.ts";
import type { Ref, TableDeclaration } from "../tables/define-table.ts";
import type { CopyPriority } from "../tables/priority.ts";
import type { ColumnType } from "../transform/raw-types.ts";

/** A raw entity a source writes: one folder of the raw zone, and the columns the transform reads from its lines. */
export interface RawDeclaration<Entity extends string = string> {
  entity: Entity;
  /** What one line holds (the API object and its `_` provenance fields). */
  description: string;
  columns: Record<string, ColumnType>;
  /** The projection applied while loading it (default: every column as read). */
  load?: string;
}

/** The staging models sources feed: every copy of a track, album or artist, whichever source brought it. */
export type FedModel = "stg_tracks" | "stg_albums" | "stg_artists";

/**
 * One branch of a staging model: a SELECT of the model's columns from this source's raw table. `priority` ranks this
 * kind of copy against the other sources' (tables/priority.ts).
 */
export interface Feed {
  model: FedModel;
  priority: CopyPriority;
  select: (ctx: { ref: Ref; priority: number }) => string;
}

/** How a paged endpoint is walked: `next` links, `offset`/`limit`, or a cursor (`after`) carried in `next`. */
export type Paginator = "none" | "next" | "offset" | "cursor";

export interface EndpointDeclaration {
  /** The path under the API base, with `{id}` for a Spotify id (e.g. `/me/tracks`, `/artists/{id}/albums`). */
  path: string;
  paginator: Paginator;
  /** Where the page is in the response (`artists` for `/me/following`); default the response itself. */
  selector?: string;
  /** The largest page Spotify serves. */
  maxLimit?: number;
  /** Query parameters the endpoint needs (e.g. `type=artist`). */
  query?: Record<string, string>;
}

/** One list a unit walks: every page of `url`, each item checked and stored as a line of `entity`. */
export interface ListRequest {
  url: string;
  entity: string;
  item: v.GenericSchema;
  /** `_source` of every line. */
  source: string;
  /** Where the page is in the response. */
  selector?: string;
  /** Stop after this many items. */
  maxItems?: number;
  /** Provenance fields beyond `_fetched_at` and `_source`, per item (`index`: position from the list's start). */
  provenance?: (index: number) => Record<string, unknown>;
}

/** What the extract runner offers a source while it plans (extract/run-extract.ts implements it). */
export interface Planner {
  ctx: ExtractContext;
  /** Whether a unit finished in an earlier slice of the same date (the checkpoint). */
  isDone: (key: string) => boolean;
  /**
   * Queues a work unit; what it collects is committed under `key` when it finishes. `estimate`: the requests it is
   * expected to make, for `tunelake plan` (extract/plan-requests.ts); the run ignores it.
   */
  unit: (key: string, run: () => Promise<Collected>, estimate?: Estimate) => void;
  /** Queues a unit that walks a paged list (user token for user sources). */
  list: (key: string, request: ListRequest) => void;
  /** Queues one unit per id (or per batch where access allows batch calls), keyed `<kind>:<id>`. */
  byIds: (kind: "artist" | "track", ids: readonly string[], fetch: (group: string[]) => Promise<Collected>) => void;
  /** Albums to fetch in full, once each, with the source that named them (batched where allowed). */
  albums: (ids: readonly string[], sourceOf: (id: string) => string) => void;
  /** A unit that also names albums to fetch (an artist's albums); `memory` keeps them across slices. */
  discover: (
    key: string,
    run: () => Promise<{ out: Collected; albumIds: string[] }>,
    source: string,
    estimate?: Estimate & { albumIds: readonly string[] },
  ) => void;
  /** The last known objects (the raw zone of the latest earlier run date; empty on a first run). */
  known: KnownState;
  /** Whether a known object is due for a refresh on the run date (extract/refresh.ts). */
  due: (kind: RefreshKind, id: string, known: KnownStamp | undefined) => boolean;
  /** Whether a periodic check of `id` runs on the run date (its own day of the period; extract/refresh.ts). */
  onSlot: (kind: RefreshKind, id: string) => boolean;
  /** Writes known objects into the run date's raw zone as they are, without a request, and marks `key` done. */
  carry: (key: string, lines: readonly CarriedLine[]) => void;
}

/**
 * What a unit is expected to cost, for `tunelake plan`: requests per endpoint label (as the client counts them, e.g.
 * `GET /playlists/{id}`), and why it runs: a change check, a refresh of a known object (`deferred` when it was carried
 * forward stale), or new work (an object with no known copy: the count is a lower bound).
 */
export interface Estimate {
  requests: Record<string, number>;
  why: "check" | "refresh" | "deferred" | "new";
  /** How many of the requests are change checks when `why` is another reason (an artist with groups of both). */
  checks?: number;
}

/** A known object carried into the run date as a line of `entity`. */
export interface CarriedLine {
  entity: string;
  entry: KnownEntry;
}

type EntrySchemas = Record<string, v.GenericSchema>;
type Entries<E extends EntrySchemas> = { [K in keyof E]: v.InferOutput<E[K]> };

export type Section = "catalog" | "user";

export interface SourceDeclaration<
  Name extends string = string,
  E extends EntrySchemas = EntrySchemas,
  Entity extends string = string,
  S extends Section = Section,
  T extends readonly TableDeclaration[] = readonly TableDeclaration[],
> {
  name: Name;
  /** Where its config entries live: `sources.<key>` (catalog, app token) or `sources.user.<key>` (user token). */
  section: S;
  /** Its config entries (each optional, with its default). */
  config: E;
  /** The OAuth scope a user source needs (`tunelake auth` asks for every declared scope). */
  scope?: string;
  endpoint: EndpointDeclaration;
  /** The schema an item must meet to be stored (else it is a reject with the schema's reason). */
  item: v.GenericSchema;
  raw: readonly RawDeclaration<Entity>[];
  feeds?: readonly Feed[];
  /**
   * The curated tables built from this source alone (tables read by several sources are listed in tables/index.ts);
   * the table registry adds them.
   */
  tables?: T;
  /** Entries that switch the source on, as the sample runs and the test suite use them (default: none). */
  example?: Partial<Entries<E>>;
  /** Plans the work units for its config entries. */
  plan: (entries: Entries<E>, planner: Planner) => void;
}

/** Declares a source (see the module comment). */
export function defineSource<
  const Name extends string,
  const E extends EntrySchemas,
  const Entity extends string,
  const S extends Section,
  const T extends readonly TableDeclaration[] = readonly [],
>(source: SourceDeclaration<Name, E, Entity, S, T>): SourceDeclaration<Name, E, Entity, S, T> {
  return source;
}
