/** Terminal text that fits: lines wrapped at word boundaries to the terminal's width (80 when it is not one). */
import type { CliStream } from "./context.ts";

/** The width to wrap at: the terminal's, at most 100; 80 when the stream is not a terminal. */
export function widthOf(stream: CliStream): number {
  return stream.isTTY && stream.columns ? Math.min(stream.columns, 100) : 80;
}

/**
 * Wraps `text` at spaces so that no line is longer than `width` (a word longer than that stays whole on its own
 * line); continuation lines start with `indent`.
 */
export function wrap(text: string, width: number, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : `${lines.length > 0 ? indent : ""}${word}`;
    if (next.length > width && line) {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}
