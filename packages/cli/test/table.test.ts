import { describe, expect, it } from "vitest";
import { dataCell, newTable, terminalSafe } from "../src/table.ts";

describe("terminal-safe table output", () => {
  it.each([
    ["an ESC sequence that clears the screen", "Sample \u001b[2J\u001b[Hmix", "Sample \\u001b[2J\\u001b[Hmix"],
    [
      "an OSC 8 hyperlink",
      "\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007",
      "\\u001b]8;;https://evil.example\\u0007click\\u001b]8;;\\u0007",
    ],
    ["a C1 control (CSI)", "a\u009b31mb", "a\\u009b31mb"],
    ["a bidi override", "abc\u202edcba", "abc\\u202edcba"],
    ["a newline and a tab", "two\nlines\t", "two\\u000alines\\u0009"],
    ["plain text with accents and emoji", "Beyoncé 🎵", "Beyoncé 🎵"],
  ])("shows %s as escapes", (_, text, shown) => {
    expect(terminalSafe(text)).toBe(shown);
  });

  it("formats data cells: NULL, JSON for nested values, escapes inside both", () => {
    expect(dataCell(null)).toBe("NULL");
    expect(dataCell(["\u001b[31mred"])).toBe('["\\u001b[31mred"]');
    expect(dataCell(42)).toBe("42");
  });

  it("never prints a control character from a header or a cell", () => {
    // Prepare
    const table = newTable(["name\u001b[8m"]);
    table.push([dataCell("Sample Playlist \u001b[2J")]);

    // Act
    const text = table.toString();

    // Assess
    expect(text).not.toContain("\u001b");
    expect(text).toContain("name\\u001b[8m");
    expect(text).toContain("Sample Playlist \\u001b[2J");
  });
});

describe("summary tables", () => {
  it("draw a rule under the header and none between rows", () => {
    // Prepare
    const table = newTable(["table", "rows"]);
    table.push(["albums", "77"], ["artists", "103"]);

    // Act
    const lines = table.toString().split("\n");

    // Assess
    expect(lines).toHaveLength(6);
    expect(lines[2]).toMatch(/^├─+┼─+┤$/);
    expect(lines.filter((line) => line.startsWith("├"))).toHaveLength(1);
  });
});
