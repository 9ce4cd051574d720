/**
 * Searches (`tag:new` albums replaces the gone new-releases endpoint; user-defined queries). Pages are at most 10
 * items in the development profile, so the page size is probed in `auto` and pages are requested by offset.
 */
import type { SearchSource } from "../config/entries.ts";
import { asPage } from "../spotify/paging.ts";
import { SEARCH_ITEM_SCHEMAS } from "../spotify/schemas.ts";
import { Collected } from "./collected.ts";
import type { ExtractContext } from "./context.ts";

/** Spotify refuses offsets above 1000. */
const MAX_OFFSET = 1000;

export async function extractSearch(ctx: ExtractContext, search: SearchSource): Promise<Collected> {
  const source = `search:${search.type}:${search.query}`;
  const market = search.market ?? ctx.options.market;
  const walk = (pageLimit: number) => async () => {
    const out = new Collected();
    for (let offset = 0; offset < search.limit && offset <= MAX_OFFSET; offset += pageLimit) {
      const limit = Math.min(pageLimit, search.limit - offset);
      const query = new URLSearchParams({
        q: search.query,
        type: search.type,
        market,
        limit: String(limit),
        offset: String(offset),
      });
      const json = (await ctx.client.get(`/search?${query}`)) as Record<string, unknown> | null;
      const fetchedAt = ctx.stamp();
      const page = asPage(json?.[`${search.type}s`], "GET /search");
      page.items.forEach((item, i) => {
        if (item === null) {
          out.reject("search_results", "null item in search results", source, fetchedAt, item);
          return;
        }
        out.addChecked("search_results", SEARCH_ITEM_SCHEMAS[search.type], item, {
          _fetched_at: fetchedAt,
          _source: source,
          _query: search.query,
          _search_type: search.type,
          _rank: offset + i + 1,
        });
      });
      if (!page.next) break;
    }
    return out;
  };
  return ctx.access.usePages(search.limit, walk);
}
