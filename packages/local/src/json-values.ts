/**
 * DuckDB values as plain JSON: what `tunelake query --json` prints and what the Athena stand-in turns into strings.
 */

/** BigInt becomes a number when exact, else a string; dates and timestamps become ISO strings; nested values recurse. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  }
  return value;
}

/** A value as Athena's `VarCharValue` renders it (`undefined` for NULL: Athena leaves the field out). */
export function toVarChar(value: unknown): string | undefined {
  const json = toJsonValue(value);
  if (json === null || json === undefined) return undefined;
  return typeof json === "string" ? json : JSON.stringify(json);
}

/**
 * A result row as plain JSON, keyed by column name. A DATE is a day, not an instant: it is printed as YYYY-MM-DD
 * rather than as midnight UTC.
 */
export function jsonRow(
  columns: readonly { name: string; type: string }[],
  values: readonly unknown[],
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    const value = toJsonValue(values[i] ?? null);
    row[column.name] = column.type === "DATE" && typeof value === "string" ? value.slice(0, 10) : value;
  });
  return row;
}
