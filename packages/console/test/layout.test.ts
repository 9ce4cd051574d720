import { describe, expect, it } from "vitest";
import { localDefinition } from "../src/definition.ts";
import { layoutDefinition } from "../src/layout.ts";
import { definitionStates } from "../src/status.ts";

describe("layoutDefinition", () => {
  it("places every state once, the Map's item processor inside the Map's box, and every transition", async () => {
    const definition = localDefinition();
    const layout = await layoutDefinition(definition);
    const states = [...definitionStates(definition).keys()];
    expect(layout.nodes.map((n) => n.id).sort()).toEqual([...states].sort());

    const node = (id: string) => {
      const found = layout.nodes.find((n) => n.id === id);
      if (!found) throw new Error(`no node ${id}`);
      return found;
    };
    const map = node("Transform");
    expect(map.compound).toBe(true);
    for (const inner of ["TransformEntity", "TransformEntityFailed"]) {
      const n = node(inner);
      expect(n.parent).toBe("Transform");
      expect(n.x).toBeGreaterThanOrEqual(map.x);
      expect(n.y).toBeGreaterThanOrEqual(map.y);
      expect(n.x + n.width).toBeLessThanOrEqual(map.x + map.width);
      expect(n.y + n.height).toBeLessThanOrEqual(map.y + map.height);
    }
    // Top to bottom: the start above the first stage (loops such as the extract slices may reorder the rest).
    expect(node("Prepare").y).toBeLessThan(node("Extract").y);

    for (const n of layout.nodes) {
      expect(n.x + n.width).toBeLessThanOrEqual(layout.width);
      expect(n.y + n.height).toBeLessThanOrEqual(layout.height);
    }
    const edge = layout.edges.find((e) => e.from === "StartCrawler" && e.to === "StartCrawlerFailed");
    expect(edge?.kind).toBe("catch");
    // Each line starts at its source's box and ends at its target's.
    for (const e of layout.edges) {
      const [from, to] = [node(e.from), node(e.to)];
      const first = e.points[0];
      const last = e.points.at(-1);
      expect(first && last).toBeTruthy();
      const near = (p: { x: number; y: number }, n: typeof from) =>
        p.x >= n.x - 1 && p.x <= n.x + n.width + 1 && p.y >= n.y - 1 && p.y <= n.y + n.height + 1;
      expect(near(first as { x: number; y: number }, from), `${e.id} start`).toBe(true);
      expect(near(last as { x: number; y: number }, to), `${e.id} end`).toBe(true);
    }
  });
});
