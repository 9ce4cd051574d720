/**
 * The console's HTTP app (Hono on @hono/node-server, bound to 127.0.0.1): the page, its assets and a JSON API over
 * the `Runs` and `QueryEngine` ports, so it reads the laptop and a stage alike. Access (docs/console.md, "Access"):
 * the token travels in the URL's fragment and, from the page, in a header on every API call (never a cookie, so
 * consoles on two ports never share or overwrite it); the Host must be the bound address; an Origin, when sent,
 * must be the console's own; and every response carries a strict Content-Security-Policy.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { TunelakeError } from "@tunelake/core/errors";
import type { ExecutionDetails, ObjectStore, QueryEngine, Runs } from "@tunelake/core/ports";
import { truncationMessage } from "@tunelake/core/query-limits";
import type { StateMachineDefinition } from "@tunelake/core/workflow/state-names";
import { RESUMABLE_STAGES } from "@tunelake/core/workflow/state-names";
import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { lakeOverview } from "./lake.ts";
import { type GraphLayout, layoutDefinition } from "./layout.ts";
import { stateStatuses } from "./status.ts";

export interface ConsoleOptions {
  runs: Runs;
  query: QueryEngine;
  /** The one definition the executions ran (rendered with the local or the stage's substitutions). */
  definition: StateMachineDefinition;
  /** The raw zone, to read the rejects' reasons (`_rejects/`); without it the lake page shows counts only. */
  raw?: ObjectStore;
  /** The secret the page's URL carries; random when absent. */
  token?: string;
}

/** The header the page sends the token in (`Authorization: Bearer <token>`): a cross-origin page cannot set it without CORS. */
export const TOKEN_HEADER = "authorization";
/** Executions the list describes (failed stage, error); older ones show what ListExecutions gives. */
const DESCRIBED = 25;
/** Actions must carry it: a cross-site form cannot set a custom header, and a cross-origin fetch with it needs CORS. */
export const ACTION_HEADER = "x-tunelake-console";

const asset = (name: string) => readFileSync(new URL(`./web/${name}`, import.meta.url), "utf8");

const sameToken = (given: string | undefined, token: string) => {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
};

const errorBody = (error: unknown) => ({
  error: error instanceof Error ? error.name : "Error",
  message: error instanceof Error ? error.message : String(error),
});

/**
 * HTTP status for a port error, from its class's data (`httpStatus`, else 400 for bad input): e.g. an unknown
 * execution 404, a refused action 409, a refused query 400, a query past its time limit 504. Anything not a tunelake
 * error is a 500.
 */
const statusOf = (error: unknown): ContentfulStatusCode =>
  error instanceof TunelakeError ? (error.httpStatus as ContentfulStatusCode) : 500;

/**
 * On every response. The page's own script and style only (no inline code, no other origin), no framing (no
 * clickjacking), no Referer (the URL never leaves), no MIME sniffing, nothing cached.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

/** The token from `Authorization: Bearer <token>`, or undefined. */
const bearer = (header: string | undefined): string | undefined => /^Bearer (\S+)$/.exec(header ?? "")?.[1];

/** The origin of an `Origin` header, or undefined when it is not an http(s) URL (`null`, garbage). */
const originOf = (header: string): string | undefined => {
  try {
    const url = new URL(header);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
  } catch {
    return undefined;
  }
};

const nameOf = (c: Context) => c.req.param("name") ?? "";

export interface ConsoleApp {
  app: Hono;
  token: string;
  /**
   * The port the server is bound to: only `127.0.0.1:<port>` and `localhost:<port>` are accepted as Host (a
   * DNS-rebinding page names its own host). Until it is set every request is refused.
   */
  bind(port: number): void;
  /** Actions started from the page that are still going (locally a run executes in this process). */
  pending: Map<string, Promise<unknown>>;
}

export function createConsoleApp(options: ConsoleOptions): ConsoleApp {
  const { runs, query, definition } = options;
  const token = options.token ?? randomBytes(24).toString("base64url");
  const app = new Hono();
  const pending = new Map<string, Promise<unknown>>();
  /** The last error of an action run in the background, by execution name, shown on the page. */
  const actionErrors = new Map<string, { error: string; message: string }>();
  let layout: Promise<GraphLayout> | undefined;
  const html = asset("index.html");
  const js = asset("app.js");
  const css = asset("app.css");

  let hosts = new Set<string>();
  const bind = (port: number) => {
    hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  };

  app.use("*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  // Every request: the Host the server is bound to (a rebound DNS name is refused), and an Origin, when the browser
  // sends one, that is the console's own.
  app.use("*", async (c, next) => {
    const host = c.req.header("host") ?? "";
    if (!hosts.has(host.toLowerCase())) {
      return c.json(
        { error: "MisdirectedRequest", message: "Open the console at the URL it printed (127.0.0.1)." },
        421,
      );
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && originOf(origin) !== `http://${host.toLowerCase()}`) {
      return c.json({ error: "Forbidden", message: "Cross-origin requests are refused" }, 403);
    }
    await next();
  });

  // The page and its assets hold no data: served to anyone on the bound address; the page reads the token from the
  // URL's fragment (which no request carries) and sends it with every API call.
  app.get("/", (c) => c.html(html));
  app.get("/app.js", (c) => c.body(js, 200, { "content-type": "text/javascript; charset=utf-8" }));
  app.get("/app.css", (c) => c.body(css, 200, { "content-type": "text/css; charset=utf-8" }));

  app.use("/api/*", async (c, next) => {
    if (!sameToken(bearer(c.req.header(TOKEN_HEADER)), token))
      return c.json({ error: "Forbidden", message: "No console token: open the URL `tunelake console` printed" }, 403);
    if (c.req.method !== "GET" && c.req.header(ACTION_HEADER) !== "1") {
      return c.json({ error: "Forbidden", message: `Actions need the ${ACTION_HEADER} header` }, 403);
    }
    await next();
  });

  const guarded = (handler: (c: Context) => Promise<Response>) => async (c: Context) => {
    try {
      return await handler(c);
    } catch (error) {
      return c.json(errorBody(error), statusOf(error));
    }
  };

  app.get(
    "/api/info",
    guarded(async (c) => c.json({ backend: runs.backend, location: runs.location, resumable: RESUMABLE_STAGES })),
  );
  app.get(
    "/api/executions",
    guarded(async (c) => {
      const list = await runs.list();
      // The failed stage and error need a describe (on AWS, a history read): only for the newest ones.
      const details = await Promise.all(
        list.map((e, i) =>
          i < DESCRIBED ? runs.describe(e.name).catch(() => e as ExecutionDetails) : (e as ExecutionDetails),
        ),
      );
      return c.json({
        executions: details.map((e) => ({
          name: e.name,
          status: e.status,
          date: e.date,
          startDate: e.startDate,
          stopDate: e.stopDate,
          durationMs: e.stopDate ? Date.parse(e.stopDate) - Date.parse(e.startDate) : undefined,
          failedStage: e.failedStage,
          redriveCount: e.redriveCount,
          error: e.error,
        })),
        pending: [...pending.keys()],
        actionErrors: Object.fromEntries(actionErrors),
      });
    }),
  );
  app.get(
    "/api/graph",
    guarded(async (c) => {
      layout ??= layoutDefinition(definition);
      return c.json(await layout);
    }),
  );
  app.get(
    "/api/executions/:name",
    guarded(async (c) => {
      const name = nameOf(c);
      const [execution, history] = await Promise.all([runs.describe(name), runs.history(name)]);
      return c.json({ execution, states: stateStatuses(definition, history) });
    }),
  );
  app.get(
    "/api/executions/:name/history",
    guarded(async (c) => c.json({ events: await runs.history(nameOf(c)) })),
  );

  /** Starts an action and answers at once: a local run executes in this process until it ends. */
  const background = (key: string, action: () => Promise<unknown>) => {
    actionErrors.delete(key);
    const job = action()
      .catch((error) => actionErrors.set(key, errorBody(error)))
      .finally(() => pending.delete(key));
    pending.set(key, job);
  };

  app.post(
    "/api/executions",
    guarded(async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { date?: unknown };
      const date = typeof body.date === "string" ? body.date : "";
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
        return c.json({ error: "BadRequest", message: "Give the run date as YYYY-MM-DD" }, 400);
      }
      if (pending.has(date)) return c.json({ error: "Busy", message: `A run of ${date} is already going` }, 409);
      background(date, () => runs.start({ date, mode: "extract" }, { follow: runs.backend === "local" }));
      return c.json({ started: date }, 202);
    }),
  );
  app.post(
    "/api/executions/:name/redrive",
    guarded(async (c) => {
      const name = nameOf(c);
      const execution = await runs.describe(name);
      if (execution.status === "RUNNING" || execution.status === "SUCCEEDED") {
        return c.json({ error: "NotResumable", message: `${name} is ${execution.status}: nothing to redrive` }, 409);
      }
      background(name, () => runs.redrive(name, { follow: runs.backend === "local" }));
      return c.json({ redriving: name, from: execution.failedStage }, 202);
    }),
  );
  app.post(
    "/api/executions/:name/abort",
    guarded(async (c) => c.json({ execution: await runs.abort(nameOf(c)) })),
  );

  app.get(
    "/api/lake",
    guarded(async (c) => c.json(await lakeOverview(query, options.raw))),
  );
  app.post(
    "/api/query",
    guarded(async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { sql?: unknown };
      if (typeof body.sql !== "string" || !body.sql.trim()) {
        return c.json({ error: "BadRequest", message: "Give the SQL to run" }, 400);
      }
      const result = await query.query(body.sql);
      const truncated = result.truncated ? truncationMessage(result.truncated, result.rows.length) : undefined;
      return c.json({ ...result, ...(truncated ? { truncatedMessage: truncated } : {}) });
    }),
  );

  return { app, token, pending, bind };
}

export interface RunningConsole {
  url: string;
  port: number;
  token: string;
  /** Waits for the actions still going, then stops the server. */
  close(): Promise<void>;
}

/** Serves the console on 127.0.0.1 (`port` 0 picks a free one). */
export async function startConsole(options: ConsoleOptions & { port?: number }): Promise<RunningConsole> {
  const { app, token, pending, bind } = createConsoleApp(options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: options.port ?? 0 }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  bind(port);
  return {
    // The fragment never leaves the browser: not in a request line, a Referer, a proxy or a server log.
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    async close() {
      await Promise.allSettled([...pending.values()]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
