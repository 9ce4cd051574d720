/** The one pair of SQL quoters (DuckDB and Trino/Athena quote alike): a string literal and an identifier. */

/** A string literal: `'it''s'`. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** A quoted identifier: `"my ""table"""`. */
export const sqlIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
