/**
 * The limits of the read-only query path (`tunelake query`, the console's query box): how long a query may run, and
 * how many rows and bytes of result it may return. Read once from the environment; the engines apply them.
 */
import { ConfigError } from "./errors.ts";
import type { QueryTruncation } from "./ports.ts";

export interface QueryLimits {
  /** The query is interrupted after this long. */
  timeoutMs: number;
  /** At most this many rows are returned; the result says it was truncated. */
  maxRows: number;
  /** At most this many bytes of rows (as JSON) are returned; the result says it was truncated. */
  maxBytes: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { timeoutMs: 30_000, maxRows: 10_000, maxBytes: 16 * 1024 * 1024 };

const VARIABLES = {
  timeoutMs: { name: "TUNELAKE_QUERY_TIMEOUT_SECONDS", scale: 1000 },
  maxRows: { name: "TUNELAKE_QUERY_MAX_ROWS", scale: 1 },
  maxBytes: { name: "TUNELAKE_QUERY_MAX_BYTES", scale: 1 },
} as const;

/**
 * The limits from `TUNELAKE_QUERY_TIMEOUT_SECONDS`, `TUNELAKE_QUERY_MAX_ROWS` and `TUNELAKE_QUERY_MAX_BYTES`, each
 * a positive number, else the defaults; anything else is a ConfigError naming the variable.
 */
export function readQueryLimits(env: NodeJS.ProcessEnv = process.env): QueryLimits {
  const limits = { ...DEFAULT_QUERY_LIMITS };
  for (const [key, { name, scale }] of Object.entries(VARIABLES) as [
    keyof QueryLimits,
    { name: string; scale: number },
  ][]) {
    const text = env[name]?.trim();
    if (!text) continue;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) {
      throw new ConfigError({
        reason: "notPositiveNumber",
        variable: name,
        value: text,
        fallback: DEFAULT_QUERY_LIMITS[key] / scale,
      });
    }
    limits[key] = Math.ceil(value * scale);
  }
  return limits;
}

/** The truncation of a result that stopped at a limit. */
const truncation = (limit: QueryTruncation["limit"], limits: QueryLimits): QueryTruncation => ({
  limit,
  maxRows: limits.maxRows,
  maxBytes: limits.maxBytes,
});

/** What a reader is told when a result is truncated (the CLI prints it, the console shows it). */
export function truncationMessage(t: QueryTruncation, returned: number): string {
  const cap = t.limit === "rows" ? `${t.maxRows} rows` : `${t.maxBytes} bytes`;
  return `Truncated: the query has more rows than the ${returned} shown (the limit is ${cap}); aggregate, filter or add a LIMIT.`;
}

/** The UTF-8 size of a row as JSON, what the byte cap counts. */
const jsonBytes = (row: unknown): number => Buffer.byteLength(JSON.stringify(row) ?? "", "utf8");

/**
 * Rows kept while they fit the caps, one at a time (a streamed result stops reading at the first that does not).
 * `add` keeps a row and says true, or keeps nothing more, records why in `truncated`, and says false.
 */
export class RowCap<T> {
  readonly rows: T[] = [];
  truncated?: QueryTruncation;
  private bytes = 0;
  constructor(private readonly limits: QueryLimits) {}

  add(row: T): boolean {
    if (this.truncated) return false;
    if (this.rows.length >= this.limits.maxRows) {
      this.truncated = truncation("rows", this.limits);
      return false;
    }
    const size = jsonBytes(row);
    if (this.bytes + size > this.limits.maxBytes) {
      this.truncated = truncation("bytes", this.limits);
      return false;
    }
    this.rows.push(row);
    this.bytes += size;
    return true;
  }
}

/**
 * The rows that fit the caps, and the truncation when some did not. Give it one row more than `maxRows` when there
 * may be more: a result of exactly `maxRows` rows is not truncated.
 */
export function capRows<T>(rows: readonly T[], limits: QueryLimits): { rows: T[]; truncated?: QueryTruncation } {
  const cap = new RowCap<T>(limits);
  for (const row of rows) if (!cap.add(row)) break;
  return { rows: cap.rows, ...(cap.truncated ? { truncated: cap.truncated } : {}) };
}
