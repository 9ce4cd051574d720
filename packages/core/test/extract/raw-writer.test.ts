import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gzipLines, RawWriter } from "../../src/extract/raw-writer.ts";
import { tempStore } from "./helpers.ts";

const text = (lines: readonly string[]) => Buffer.from(lines.map((line) => `${line}\n`).join(""), "utf8");

describe("gzipLines: lines through a reused buffer into one gzip member", () => {
  it("gives the bytes of the lines joined, whatever their sizes and characters, through a buffer of any size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: "binary", maxLength: 300 }), { maxLength: 40 }),
        fc.integer({ min: 8, max: 512 }),
        async (lines, scratchBytes) => {
          // Act: small buffers put line ends on chunk edges, and lines longer than the buffer go whole.
          const gz = await gzipLines(lines, Buffer.alloc(scratchBytes));
          // Assess
          expect(gunzipSync(gz).equals(text(lines))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps a multi-byte character whole at the edge of the buffer", async () => {
    // Prepare: 3 ASCII bytes, then a 4-byte emoji that does not fit in the 8-byte buffer's rest.
    const lines = ["abc", "é😀€", "x".repeat(20)];
    // Act
    const gz = await gzipLines(lines, Buffer.alloc(8));
    // Assess
    expect(gunzipSync(gz).toString("utf8")).toBe("abc\né😀€\nxxxxxxxxxxxxxxxxxxxx\n");
  });
});

describe("RawWriter", () => {
  it("writes a part whose checkpointed versions, members concatenated, hold every line once in order", async () => {
    const { store, cleanup } = await tempStore();
    try {
      // Prepare
      const writer = new RawWriter({ store, date: "2026-11-20", tag: "t" });
      const first = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `a${i}`, name: "ü".repeat(i % 50) }));
      const second = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ id: `b${i}` }));
      // Act: two checkpoints of the same open part
      writer.append("raw", "artists", first);
      await writer.flush();
      writer.append("raw", "artists", second);
      const { parts, superseded } = await writer.flush();
      // Assess
      expect(parts).toHaveLength(1);
      expect(superseded).toHaveLength(1);
      const body = await store.get(parts[0]?.key ?? "");
      expect(body && gunzipSync(body).equals(text([...first, ...second]))).toBe(true);
      expect(parts[0]?.lines).toBe(5000);
    } finally {
      await cleanup();
    }
  });
});
