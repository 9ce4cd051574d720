/**
 * Following Spotify's paging objects: the first page (fetched, or embedded in a parent object such as an album's
 * `tracks`), then every `next` link until it is null or enough items were read.
 */
import * as v from "valibot";
import { SpotifyServerError } from "../errors.ts";
import type { SpotifyClient } from "./client.ts";
import { type Paging, PagingSchema } from "./schemas.ts";

export interface PageOptions {
  /** Use the user's token (user-scoped endpoints). */
  user?: boolean;
  /** Stop once this many items were read (the last page is not cut). */
  maxItems?: number;
  /** Where the page is in the response (`artists` for `/me/following`); default the response itself. */
  selector?: string;
}

/** Checks that `input` is a paging object; a broken envelope is a Spotify fault, not bad data. */
export function asPage(input: unknown, where: string): Paging {
  const parsed = v.safeParse(PagingSchema, input);
  if (!parsed.success) {
    throw new SpotifyServerError({ reason: "notPaging", url: where, issue: parsed.issues[0]?.message ?? "?" });
  }
  return parsed.output;
}

/** Yields `first` (a URL to fetch, or a page already in hand) and every page its `next` links lead to. */
export async function* followPages(
  client: SpotifyClient,
  first: { url: string } | { page: unknown },
  options: PageOptions = {},
): AsyncGenerator<Paging> {
  const select = (json: unknown): unknown =>
    options.selector === undefined ? json : (json as Record<string, unknown> | null)?.[options.selector];
  let current: Paging =
    "url" in first
      ? asPage(select(await client.get(first.url, { user: options.user })), first.url)
      : asPage(first.page, "an embedded page");
  let seen = 0;
  // A `next` link back to a page already read, or pages that never end with nothing on them, would loop forever.
  const visited = new Set<string>("url" in first ? [first.url] : []);
  // An empty page has nothing after it, whatever its `next` or `total` say.
  const hasMore = (page: Paging): page is Paging & { next: string } =>
    Boolean(page.next) && page.items.length > 0 && (options.maxItems === undefined || seen < options.maxItems);
  yield current;
  seen += current.items.length;
  while (hasMore(current)) {
    const next = current.next;
    if (visited.has(next)) {
      throw new SpotifyServerError({ reason: "pagingLoops", next });
    }
    visited.add(next);
    current = asPage(select(await client.get(next, { user: options.user })), next);
    yield current;
    seen += current.items.length;
  }
}
