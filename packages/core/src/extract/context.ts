/**
 * What every extraction step shares during one run, and the one way to fetch objects by id: batch calls where the
 * access allows them, per-id calls otherwise. A missing object (404, or null in a batch) is reported, not fatal.
 */
import type { ExtractOptions } from "../config/extract-options.ts";
import { SpotifyRequestError } from "../errors.ts";
import type { GetOptions, SpotifyClient } from "../spotify/client.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import type { AccessState, Capability } from "./access.ts";

export interface ExtractContext {
  client: SpotifyClient;
  access: AccessState;
  options: ExtractOptions;
  /** The `_fetched_at` value for an object received now. */
  stamp: () => string;
  /** Sources skipped and why, for the manifest. */
  skipped: string[];
  /** The raw zone and run date, for sources that continue from earlier dates (recently played, see sources/recently-played.ts). */
  lake?: { store: ObjectStore; date: string; rawPrefix: (entity: string, date: string) => string };
}

export interface Fetched {
  id: string;
  /** The object as returned, or undefined when Spotify does not know the id. */
  object: unknown;
  fetchedAt: string;
}

/** Splits `list` into chunks of `size`. */
export function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Unique values in first-seen order. */
export function unique<T>(list: Iterable<T>): T[] {
  return [...new Set(list)];
}

/** GET one object; a 404 means the id does not exist (or is hidden from this app) and gives `undefined`. */
export async function getOne(ctx: ExtractContext, path: string, options?: GetOptions): Promise<unknown> {
  try {
    return await ctx.client.get(path, options);
  } catch (error) {
    if (error instanceof SpotifyRequestError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Fetches `ids` (already unique) of one kind, e.g. `artists`: `GET /artists?ids=` in chunks when `capability` is
 * allowed, `GET /artists/{id}` otherwise. Results come back in the order of `ids`.
 */
export async function fetchByIds(
  ctx: ExtractContext,
  kind: "artists" | "albums" | "tracks",
  ids: readonly string[],
  capability: Capability,
  batchSize: number,
): Promise<Fetched[]> {
  const market = kind === "artists" ? "" : `market=${ctx.options.market}`;
  const perId = (id: string) => async (): Promise<Fetched[]> => {
    const object = await getOne(ctx, `/${kind}/${id}${market ? `?${market}` : ""}`);
    return [{ id, object, fetchedAt: ctx.stamp() }];
  };
  const results = await Promise.all(
    chunk(ids, batchSize).map((group) =>
      ctx.access.use(
        capability,
        async () => {
          const json = (await ctx.client.get(`/${kind}?ids=${group.join(",")}${market ? `&${market}` : ""}`)) as Record<
            string,
            unknown
          >;
          const fetchedAt = ctx.stamp();
          const list = Array.isArray(json?.[kind]) ? (json[kind] as unknown[]) : [];
          return group.map((id, i) => ({ id, object: list[i] ?? undefined, fetchedAt }));
        },
        async () => (await Promise.all(group.map((id) => perId(id)()))).flat(),
      ),
    ),
  );
  return results.flat();
}
