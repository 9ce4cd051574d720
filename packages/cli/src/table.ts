import Table from "cli-table3";

/**
 * Control characters a terminal would act on (C0 including ESC, DEL, C1) and the bidirectional overrides that
 * reorder what is shown: data can carry them (a Spotify user's playlist name, a column alias in the SQL).
 */
const isUnsafe = (code: number): boolean =>
  code < 0x20 ||
  (code >= 0x7f && code <= 0x9f) ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

/** Text with every control character shown as a `\u001b`-style escape, so printing it cannot drive the terminal. */
export function terminalSafe(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += isUnsafe(code) ? `\\u${code.toString(16).padStart(4, "0")}` : char;
  }
  return out;
}

/** A data value as a table cell: NULL, JSON for nested values, and never a control character. */
export function dataCell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  return terminalSafe(typeof value === "object" ? JSON.stringify(value) : String(value));
}

/**
 * A compact table for terminal output: a rule under the header, none between rows. The header is made terminal-safe
 * here; data cells go through {@link dataCell} (cells the CLI colours itself are pushed as they are).
 */
export function newTable(head: string[]): InstanceType<typeof Table> {
  const table = new Table({ head: head.map(terminalSafe), style: { head: [], border: [] } });
  // cli-table3 draws the header's rule and the rules between rows with the same characters: drawn with all of them,
  // every rule line after the header's is dropped. (A data line starts with │, never with ├.)
  const render = table.toString.bind(table);
  table.toString = () => {
    let headerRule = head.length > 0;
    return render()
      .split("\n")
      .filter((line) => {
        if (!line.startsWith("├")) return true;
        const keep = headerRule;
        headerRule = false;
        return keep;
      })
      .join("\n");
  };
  return table;
}
