/**
 * The sample API's Web API routes as a Hono router app. Every source's endpoint (`endpoint.path` of its declaration
 * in @tunelake/core/sources) is a route: the catalogue's and the first user sources' routes below, any other source
 * served by one paged-list route with the items of the SampleData generator of the same name (e.g. `savedTracks()`
 * for the `savedTracks` source). The server's middleware (sample-server.ts) authenticates, applies the faults and
 * serializes; a route throws HttpError for an error answer, as Spotify gives it.
 */
import type { EndpointDeclaration } from "@tunelake/core/sources/define-source";
import { SOURCES } from "@tunelake/core/sources/index";
import { type Context, Hono } from "hono";
import { HttpError } from "./errors.ts";
import { page, SAMPLE_USER_ID, type SampleData, type SampleShape, SPOTIFY_ID_RE } from "./sample-data.ts";
import { applyFields, parseFields } from "./sample-fields.ts";

type Json = Record<string, unknown>;

/** What a route sees besides the request: the data, the caller's token, the profile and the invalid-items fault. */
export interface RouteEnv {
  data: SampleData;
  user: boolean;
  extended: boolean;
  shape: SampleShape;
  /** Breaks items of a paging object (in place) when the invalidItems fault is on. */
  corrupt: (page: Json) => Json;
  /** Spotify's 2026 rollout: one playlist response carries both `items` and `tracks`, entries still say `track`. */
  bothPlaylistKeys?: boolean;
  /** The answer of the route, for the server to serialize. */
  answer?: unknown;
  /** The error the route threw, for the server to answer with. */
  error?: unknown;
}

type Env = { Bindings: RouteEnv };
type App = Hono<Env>;
type Ctx = Context<Env>;

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new HttpError({ problem: "invalidParameter", parameter: name });
  return value;
}

function ids(url: URL, max: number): string[] {
  const list = (url.searchParams.get("ids") ?? "").split(",").filter(Boolean);
  if (list.length === 0) throw new HttpError({ problem: "noIds" });
  if (list.length > max) throw new HttpError({ problem: "tooManyIds" });
  for (const id of list) if (!SPOTIFY_ID_RE.test(id)) throw new HttpError({ problem: "invalidId", id });
  return list;
}

function checkId(id: string): string {
  if (!SPOTIFY_ID_RE.test(id)) throw new HttpError({ problem: "invalidId" });
  return id;
}

/** A route's answer: stored for the server, which serializes it (drift, malformed bodies) as every other answer. */
const answer = (c: Ctx, value: unknown) => {
  c.env.answer = value;
  return c.body(null, 200);
};
const urlOf = (c: Ctx) => new URL(c.req.url);
const needsUser = (c: Ctx) => {
  if (!c.env.user) throw new HttpError({ problem: "userTokenRequired" });
};
const batchRefused = (c: Ctx) => {
  if (!c.env.extended) throw new HttpError({ problem: "forbidden", area: "batch" });
};
const corruptAlbum = (c: Ctx, album: Json) => {
  if (album.tracks && typeof album.tracks === "object") c.env.corrupt(album.tracks as Json);
  return album;
};
/** The answer filtered by the request's `fields` (playlist endpoints honour it, as Spotify's do). */
const withFields = (c: Ctx, value: Json): unknown => {
  const fields = urlOf(c).searchParams.get("fields");
  return fields === null ? value : applyFields(value, parseFields(fields));
};
/** A 2026 entry as the rollout still sends it: its object under `track`. */
const rolloutEntry = (entry: unknown): unknown => {
  if (entry === null || typeof entry !== "object" || !("item" in entry)) return entry;
  const { item, ...rest } = entry as Json;
  return { ...rest, track: item };
};
/** `/artists/{id}` -> `/v1/artists/:id`. */
const honoPath = (path: string) => `/v1${path.replace(/\{(\w+)\}/g, ":$1")}`;

/** The routes of the sources the sample API knows by hand, by source name (each serves its declared endpoint). */
const SOURCE_ROUTES: Record<string, (c: Ctx) => Response | Promise<Response>> = {
  artists: (c) => answer(c, c.env.data.artist(checkId(c.req.param("id") ?? ""))),
  albums: (c) => answer(c, corruptAlbum(c, c.env.data.album(checkId(c.req.param("id") ?? "")))),
  tracks: (c) => answer(c, c.env.data.track(checkId(c.req.param("id") ?? ""))),
  playlists: (c) => {
    const id = checkId(c.req.param("id") ?? "");
    const { data, extended, shape } = c.env;
    const owner = data.playlistOwner(id);
    if (!extended && owner === "spotify") throw new HttpError({ problem: "notFound", what: "resource" });
    const playlist = data.playlist(id, extended || (c.env.user && owner === SAMPLE_USER_ID));
    const entries = playlist[shape === "2026" ? "items" : "tracks"] as Json;
    if (Array.isArray(entries.items)) c.env.corrupt(entries);
    if (c.env.bothPlaylistKeys) {
      if (Array.isArray(entries.items)) entries.items = entries.items.map(rolloutEntry);
      playlist.items = entries;
      playlist.tracks = structuredClone(entries);
    }
    return answer(c, withFields(c, playlist));
  },
  searches: (c) => {
    const url = urlOf(c);
    const { data, extended } = c.env;
    const q = url.searchParams.get("q");
    const types = (url.searchParams.get("type") ?? "").split(",").filter(Boolean);
    if (!q) throw new HttpError({ problem: "noSearchQuery" });
    if (types.length === 0 || types.some((t) => !["album", "artist", "track", "playlist"].includes(t))) {
      throw new HttpError({ problem: "missingParameter", parameter: "type" });
    }
    const limit = intParam(url, "limit", extended ? 20 : 5, 1, extended ? 50 : 10);
    const offset = intParam(url, "offset", 0, 0, 1000);
    const result: Json = {};
    for (const type of types) {
      const total = data.searchTotal(q, type);
      const items = [];
      for (let r = offset; r < Math.min(total, offset + limit); r++) items.push(data.searchItem(q, type, r));
      result[`${type}s`] = c.env.corrupt(page(url, items, offset, limit, total));
    }
    return answer(c, result);
  },
  recentlyPlayed: (c) => {
    needsUser(c);
    const url = urlOf(c);
    const limit = intParam(url, "limit", 20, 1, 50);
    // Like Spotify: `after` / `before` (Unix ms, exclusive) select plays newer / older than the cursor.
    const ms = (name: string) =>
      url.searchParams.has(name) ? intParam(url, name, 0, 0, Number.MAX_SAFE_INTEGER) : undefined;
    const [afterMs, beforeMs] = [ms("after"), ms("before")];
    if (afterMs !== undefined && beforeMs !== undefined) {
      throw new HttpError({ problem: "bothCursors" });
    }
    const items = c.env.data
      .recentlyPlayed(50)
      .filter((play) => {
        const at = Date.parse(String(play.played_at));
        return (afterMs === undefined || at > afterMs) && (beforeMs === undefined || at < beforeMs);
      })
      .slice(0, limit);
    const times = items.map((play) => Date.parse(String(play.played_at)));
    return answer(
      c,
      c.env.corrupt({
        href: url.toString(),
        items,
        limit,
        next: null,
        cursors: items.length > 0 ? { after: String(Math.max(...times)), before: String(Math.min(...times)) } : null,
      }),
    );
  },
  topItems: (c) => {
    needsUser(c);
    const type = c.req.param("type") ?? "";
    if (type !== "artists" && type !== "tracks") throw new HttpError({ problem: "notFound", what: "service" });
    const url = urlOf(c);
    const limit = intParam(url, "limit", 20, 1, 50);
    const offset = intParam(url, "offset", 0, 0, 1000);
    const range = url.searchParams.get("time_range") ?? "medium_term";
    if (!["short_term", "medium_term", "long_term"].includes(range))
      throw new HttpError({ problem: "invalidParameter", parameter: "time range" });
    const items = [];
    for (let r = offset; r < Math.min(50, offset + limit); r++) items.push(c.env.data.topItem(type, range, r));
    return answer(c, c.env.corrupt(page(url, items, offset, limit, 50)));
  },
};

/**
 * A paged list of a user source whose items come from the SampleData generator named like the source: offset pages
 * with `next` links, or cursor pages (`after` = the last item's id, `cursors.after`) for a `cursor` paginator; under
 * the endpoint's `selector` when it has one.
 */
function listRoute(name: string, endpoint: EndpointDeclaration, user: boolean) {
  return (c: Ctx) => {
    if (user) needsUser(c);
    const generator = (c.env.data as unknown as Record<string, unknown>)[name];
    if (typeof generator !== "function") throw new HttpError({ problem: "notFound", what: "service" });
    const all = (generator as () => Json[]).call(c.env.data);
    const url = urlOf(c);
    for (const [key, value] of Object.entries(endpoint.query ?? {})) {
      if (url.searchParams.get(key) !== value) throw new HttpError({ problem: "missingParameter", parameter: key });
    }
    const limit = intParam(url, "limit", 20, 1, endpoint.maxLimit ?? 50);
    let body: Json;
    if (endpoint.paginator === "cursor") {
      const after = url.searchParams.get("after");
      const start = after === null ? 0 : all.findIndex((item) => item.id === after) + 1;
      if (after !== null && start === 0)
        throw new HttpError({ problem: "invalidParameter", parameter: "after cursor" });
      const items = all.slice(start, start + limit);
      const last = items.at(-1)?.id;
      const more = start + limit < all.length && typeof last === "string";
      const next = new URL(url);
      if (more) next.searchParams.set("after", last);
      next.searchParams.set("limit", String(limit));
      body = {
        href: url.toString(),
        items,
        limit,
        next: more ? next.toString() : null,
        cursors: { after: more ? last : null },
        total: all.length,
      };
    } else {
      const offset = intParam(url, "offset", 0, 0, 100_000);
      body = page(url, all.slice(offset, offset + limit), offset, limit, all.length);
    }
    c.env.corrupt(body);
    return answer(c, endpoint.selector ? { [endpoint.selector]: body } : body);
  };
}

/** The Web API routes: every declared source's endpoint, plus the batch and child endpoints the sources use. */
export function createSampleRoutes(): App {
  const app: App = new Hono<Env>({ strict: false });
  app.onError((error, c) => {
    c.env.error = error;
    return c.body(null, 500);
  });
  app.notFound((c) => {
    c.env.error = new HttpError({ problem: "notFound", what: "service" });
    return c.body(null, 404);
  });
  // Every /me endpoint is the user's: an app token is refused before the path is looked at.
  app.use("/v1/me/*", async (c, next) => {
    needsUser(c);
    await next();
  });

  for (const source of SOURCES) {
    const route = SOURCE_ROUTES[source.name] ?? listRoute(source.name, source.endpoint, source.section === "user");
    app.get(honoPath(source.endpoint.path), route);
  }

  // Batch endpoints (extended access only).
  app.get("/v1/artists", (c) => {
    batchRefused(c);
    return answer(c, { artists: ids(urlOf(c), 50).map((a) => c.env.data.artist(a)) });
  });
  app.get("/v1/albums", (c) => {
    batchRefused(c);
    return answer(c, { albums: ids(urlOf(c), 20).map((a) => corruptAlbum(c, c.env.data.album(a))) });
  });
  app.get("/v1/tracks", (c) => {
    batchRefused(c);
    return answer(c, { tracks: ids(urlOf(c), 50).map((t) => c.env.data.track(t)) });
  });

  // Child listings.
  app.get("/v1/artists/:id/albums", (c) => {
    const id = checkId(c.req.param("id"));
    const url = urlOf(c);
    const limit = intParam(url, "limit", 20, 1, c.env.extended ? 50 : 10);
    const offset = intParam(url, "offset", 0, 0, 100_000);
    const groups = url.searchParams.get("include_groups")?.split(",").filter(Boolean);
    const albumIds = c.env.data.artistAlbumIds(id, groups);
    const items = albumIds.slice(offset, offset + limit).map((a) => c.env.data.simplifiedAlbum(a, id));
    return answer(c, c.env.corrupt(page(url, items, offset, limit, albumIds.length)));
  });
  app.get("/v1/artists/:id/top-tracks", (c) => {
    checkId(c.req.param("id"));
    throw new HttpError(c.env.extended ? { problem: "notFound", what: "service" } : { problem: "forbidden" });
  });
  app.get("/v1/albums/:id/tracks", (c) => {
    const id = checkId(c.req.param("id"));
    const url = urlOf(c);
    const limit = intParam(url, "limit", 20, 1, 50);
    const offset = intParam(url, "offset", 0, 0, 100_000);
    return answer(c, c.env.corrupt(c.env.data.albumTracksPage(id, url, offset, limit)));
  });
  app.get("/v1/playlists/:id/:entries", (c) => {
    const id = checkId(c.req.param("id"));
    const { data, extended, shape } = c.env;
    if (c.req.param("entries") !== (shape === "2026" ? "items" : "tracks")) {
      throw new HttpError({ problem: "notFound", what: "service" });
    }
    const owner = data.playlistOwner(id);
    if (!extended && owner === "spotify") throw new HttpError({ problem: "notFound", what: "resource" });
    if (!(extended || (c.env.user && owner === SAMPLE_USER_ID))) {
      throw new HttpError({ problem: "forbidden", area: "playlistEntries" });
    }
    const url = urlOf(c);
    const limit = intParam(url, "limit", shape === "2026" ? 50 : 100, 1, shape === "2026" ? 50 : 100);
    const offset = intParam(url, "offset", 0, 0, 100_000);
    const entries = c.env.corrupt(data.playlistEntriesPage(id, url, offset, limit));
    if (c.env.bothPlaylistKeys && Array.isArray(entries.items)) entries.items = entries.items.map(rolloutEntry);
    return answer(c, withFields(c, entries));
  });
  app.get("/v1/browse/new-releases", (c) => {
    if (!c.env.extended) throw new HttpError({ problem: "forbidden", area: "browse" });
    const url = urlOf(c);
    const limit = intParam(url, "limit", 20, 1, 50);
    const offset = intParam(url, "offset", 0, 0, 1000);
    const items = Array.from({ length: limit }, (_, i) => c.env.data.searchItem("tag:new", "album", offset + i));
    return answer(c, { albums: page(url, items, offset, limit, 100) });
  });
  app.get("/v1/browse/:other", (c) => {
    if (!c.env.extended) throw new HttpError({ problem: "forbidden", area: "browse" });
    throw new HttpError({ problem: "notFound", what: "service" });
  });
  return app;
}
