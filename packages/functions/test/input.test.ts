import { describe, expect, it } from "vitest";
import { contextSlice, sliceOf } from "../src/extract.ts";
import { ExtractEventSchema, parseEvent, TransformEventSchema } from "../src/input.ts";
import { createTransformHandler } from "../src/transform.ts";

describe("handler events", () => {
  it.each([
    ["no date", {}, "date"],
    ["a non-calendar date", { date: "2026-02-31" }, "date"],
    ["a timestamp instead of a date", { date: "2026-11-21T10:00:00Z" }, "date"],
    ["a number", { date: 20261121 }, "date"],
  ])("extract refuses %s with an InputError", (_case, event, where) => {
    expect(() => parseEvent(ExtractEventSchema, event, "extract")).toThrow(where);
    try {
      parseEvent(ExtractEventSchema, event, "extract");
    } catch (error) {
      expect((error as Error).name).toBe("InputError");
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
    await expect(handler({ date: "nope", entity: "tracks" })).rejects.toMatchObject({ name: "InputError" });
    expect(resolved).toBe(false);
  });

  it("accepts the state machine's extract event with the execution and refetch", () => {
    expect(
      parseEvent(ExtractEventSchema, { date: "2026-11-21", execution: "2026-11-21", refetch: false }, "extract"),
    ).toEqual({ date: "2026-11-21", execution: "2026-11-21", refetch: false });
  });

  it.each([
    // A 15-minute Lambda keeps a minute back: no new unit after 14 minutes, running ones dropped at 14.5.
    [900_000, 840_000, 870_000],
    // A short remaining time keeps a quarter of it.
    [4_000, 3_000, 3_500],
  ])("slices %d ms of remaining time into stopAt %d and abandonAt %d", (remaining, stopAt, abandonAt) => {
    expect(sliceOf(remaining, 0)).toEqual({ stopAt, abandonAt });
  });

  it("reads the slice's deadline from the context as it goes: a context whose time runs out sooner ends it then", () => {
    // Prepare
    let remaining = 900_000;
    const slice = contextSlice({ getRemainingTimeInMillis: () => remaining });
    const now = Date.now();

    // Act
    const before = { stopAt: slice.stopAt, abandonAt: slice.abandonAt };
    remaining = 0;

    // Assess: the reserve is the one of the start (a minute); the deadline is the context's now
    expect(before.stopAt - now).toBeGreaterThanOrEqual(840_000 - 50);
    expect(before.abandonAt - before.stopAt).toBe(30_000);
    expect(slice.stopAt).toBeLessThanOrEqual(Date.now() - 60_000);
  });
});
