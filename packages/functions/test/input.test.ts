import { describe, expect, it } from "vitest";
import { ExtractEventSchema, parseEvent, TransformEventSchema } from "../src/input.ts";
import { createTransformHandler } from "../src/transform.ts";

describe("handler events", () => {
  it.each([
    ["no date", {}, "date"],
    ["a non-calendar date", { date: "2026-02-31" }, "date"],
    ["a timestamp instead of a date", { date: "2026-11-21T10:00:00Z" }, "date"],
    ["a number", { date: 20261121 }, "date"],
  ])("extract refuses %s with a ConfigError", (_case, event, where) => {
    expect(() => parseEvent(ExtractEventSchema, event, "extract")).toThrow(where);
    try {
      parseEvent(ExtractEventSchema, event, "extract");
    } catch (error) {
      expect((error as Error).name).toBe("ConfigError");
    }
  });

  it("transform refuses an unknown entity and lists the known ones", () => {
    expect(() => parseEvent(TransformEventSchema, { date: "2026-11-21", entity: "podcasts" }, "transform")).toThrow(
      /entity must be one of artists, albums, tracks/,
    );
  });

  it("a handler checks its event before resolving its dependencies", async () => {
    // Prepare
    let resolved = false;
    const handler = createTransformHandler(async () => {
      resolved = true;
      throw new Error("not reached");
    });

    // Act + Assess
    await expect(handler({ date: "nope", entity: "tracks" })).rejects.toMatchObject({ name: "ConfigError" });
    expect(resolved).toBe(false);
  });
});
