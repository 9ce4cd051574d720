import { SOURCES } from "@tunelake/core/sources/index";
import { describe, expect, it } from "vitest";
import { deriveId, SampleData } from "../src/sample-data.ts";
import { createSampleRoutes, type RouteEnv } from "../src/sample-routes.ts";

const BASE = "http://127.0.0.1:1/v1";

/** A request to a declared endpoint: ids and types filled in, the endpoint's own query, a search's query. */
function urlOf(path: string, query: Record<string, string> = {}): string {
  const url = new URL(`${BASE}${path.replace("{id}", deriveId("route-test")).replace("{type}", "tracks")}`);
  for (const [key, value] of Object.entries({ q: "tag:new", type: "album", ...query }))
    url.searchParams.set(key, value);
  return url.toString();
}

async function call(url: string, user: boolean): Promise<RouteEnv> {
  const env: RouteEnv = {
    data: new SampleData({ profile: "extended", shape: "2026", apiBaseUrl: BASE }),
    user,
    extended: true,
    shape: "2026",
    corrupt: (page) => page,
  };
  await createSampleRoutes().fetch(new Request(url), env);
  return env;
}

describe("the sample API's routes", () => {
  it.each(SOURCES.map((s) => [s.name, s] as const))("%s: its declared endpoint answers", async (_, source) => {
    // Act
    const env = await call(urlOf(source.endpoint.path, source.endpoint.query), true);

    // Assess
    expect(env.error).toBeUndefined();
    expect(env.answer).toBeTypeOf("object");
  });

  it.each(SOURCES.filter((s) => s.section === "user").map((s) => [s.name, s] as const))(
    "%s: refuses an app token (403), as Spotify does for /me endpoints",
    async (_, source) => {
      // Act
      const env = await call(urlOf(source.endpoint.path, source.endpoint.query), false);

      // Assess
      expect(env.error).toMatchObject({ status: 403 });
    },
  );

  it("answers 404 for a path no source declares", async () => {
    // Act
    const env = await call(`${BASE}/recommendations`, true);

    // Assess
    expect(env.error).toMatchObject({ status: 404 });
  });
});
