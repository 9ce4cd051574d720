/**
 * The console's HTTP app (Hono on @hono/node-server, bound to 127.0.0.1): the page, its assets and a JSON API over
 * the `Runs` and `QueryEngine` ports, so it reads the laptop and a stage alike. See docs/console.md.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { ExecutionDetails, ObjectStore, QueryEngine, Runs } from "@tunelake/core/ports";
import type { StateMachineDefinition } from "@tunelake/core/workflow/state-names";
import { RESUMABLE_STAGES } from "@tunelake/core/workflow/state-names";
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
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

const COOKIE = "tunelake_console";
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

/** HTTP status for a port error: unknown execution 404, a refused action 409, the rest 500. */
const statusOf = (error: unknown): 404 | 409 | 500 => {
  const name = error instanceof Error ? error.name : "";
  if (/NotFound/.test(name)) return 404;
  if (/AlreadyRunning|NotResumable|NotRunning/.test(name)) return 409;
  return 500;
};

const nameOf = (c: Context) => c.req.param("name") ?? "";

export interface ConsoleApp {
  app: Hono;
  token: string;
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

  // The URL printed at start carries the token once; it becomes an HttpOnly, SameSite=Strict cookie.
  app.get("/", (c) => {
    const given = c.req.query("token");
    if (given !== undefined) {
      if (!sameToken(given, token)) return c.text("Wrong token: open the URL `tunelake console` printed.", 403);
      setCookie(c, COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
      return c.redirect("/");
    }
    if (!sameToken(getCookie(c, COOKIE), token)) {
      return c.text("Open the URL `tunelake console` printed (it carries the access token).", 403);
    }
    return c.html(html);
  });
  app.get("/app.js", (c) => c.body(js, 200, { "content-type": "text/javascript; charset=utf-8" }));
  app.get("/app.css", (c) => c.body(css, 200, { "content-type": "text/css; charset=utf-8" }));

  app.use("/api/*", async (c, next) => {
    if (!sameToken(getCookie(c, COOKIE), token))
      return c.json({ error: "Forbidden", message: "No console token" }, 403);
    if (c.req.method !== "GET") {
      const origin = c.req.header("origin");
      const host = c.req.header("host");
      if (c.req.header(ACTION_HEADER) !== "1" || (origin && host && new URL(origin).host !== host)) {
        return c.json({ error: "Forbidden", message: `Actions need the ${ACTION_HEADER} header, same origin` }, 403);
      }
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
      return c.json(await query.query(body.sql));
    }),
  );

  return { app, token, pending };
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
  const { app, token, pending } = createConsoleApp(options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: options.port ?? 0 }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      await Promise.allSettled([...pending.values()]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
