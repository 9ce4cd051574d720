import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../src/config/schema.ts";
import { feedsOf, RAW_DECLARATIONS, SOURCES, USER_SCOPES } from "../../src/sources/index.ts";
import { renderModel } from "../../src/tables/define-table.ts";

describe("the source registry", () => {
  it("declares each raw entity and each config entry once", () => {
    // Assess
    const entities = RAW_DECLARATIONS.map((r) => r.entity);
    expect(new Set(entities).size).toBe(entities.length);
    for (const section of ["catalog", "user"] as const) {
      const keys = SOURCES.filter((s) => s.section === section).flatMap((s) => Object.keys(s.config));
      expect(new Set(keys).size, section).toBe(keys.length);
    }
  });

  it.each(SOURCES.map((s) => [s.name, s] as const))(
    "%s: its config entries are optional in the config",
    (_, source) => {
      // Act
      const parsed = v.parse(ConfigSchema, { sources: source.section === "user" ? { user: {} } : {} });

      // Assess
      const entries = (source.section === "user" ? parsed.sources.user : parsed.sources) as Record<string, unknown>;
      for (const key of Object.keys(source.config)) expect(entries[key], key).toBeDefined();
    },
  );

  it("asks `tunelake auth` for the scope of every user source, and user sources only", () => {
    // Assess
    for (const source of SOURCES) {
      if (source.section === "user") expect(USER_SCOPES, source.name).toContain(source.scope);
      else expect(source.scope, source.name).toBeUndefined();
    }
  });

  it.each(["stg_tracks", "stg_albums", "stg_artists"] as const)(
    "%s: each feed reads only its source's raw entities",
    (model) => {
      // Assess
      expect(feedsOf(model).length).toBeGreaterThan(0);
      for (const source of SOURCES) {
        const own = source.raw.map((r) => `raw_${r.entity}`);
        for (const feed of (source.feeds ?? []).filter((f) => f.model === model)) {
          const { refs } = renderModel(({ ref }) => feed.select({ ref, priority: 5 }));
          for (const ref of refs) expect(own, `${source.name} feeds ${model} from ${ref}`).toContain(ref);
        }
      }
    },
  );
});
