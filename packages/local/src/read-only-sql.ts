/**
 * The read-only rule of the local query path, decided by DuckDB's own parser (so it reads DuckDB SQL exactly): the
 * SQL must be one statement that the parser reads as a SELECT (`SELECT`, `WITH … SELECT`, `FROM t`, `VALUES`,
 * `DESCRIBE`, `SHOW`, `SUMMARIZE`), and its prepared form must be a SELECT too. PRAGMA, which DuckDB rewrites into a
 * SELECT when it prepares it, is refused by the first test. Nothing is bound before the parser has said yes.
 */
import { type DuckDBConnection, type DuckDBPreparedStatement, StatementType } from "@duckdb/node-api";
import { QueryRefusedError } from "@tunelake/core/errors";

interface Serialized {
  error?: boolean;
  statements?: unknown[];
}

/** The first word of the SQL after comments and brackets, to name a refused statement (the decision is the parser's). */
const firstWord = (sql: string): string =>
  /^(?:\s|\(|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*([A-Za-z_]+)/.exec(sql)?.[1]?.toUpperCase() ?? "a statement";

/**
 * Parses `sql` with DuckDB and prepares it if, and only if, it is exactly one SELECT; throws
 * {@link QueryRefusedError} otherwise (a syntax error too: it cannot be shown to be a SELECT).
 */
export async function prepareSingleSelect(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  // Both steps below run DuckDB's parser only: no binding, no file access.
  let extracted: Awaited<ReturnType<DuckDBConnection["extractStatements"]>>;
  try {
    extracted = await connection.extractStatements(sql);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(
      /^Failed to extract statements: /,
      "",
    );
    throw new QueryRefusedError({ found: `SQL that DuckDB cannot parse (${reason})` }, { cause: error });
  }
  if (extracted.count !== 1) throw new QueryRefusedError({ found: `${extracted.count} statements` });
  // json_serialize_sql serializes SELECT statements only, before any rewrite (a PRAGMA is not one).
  const reader = await connection.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
  const parsed = JSON.parse(String(reader.getRows()[0]?.[0] ?? "{}")) as Serialized;
  if (parsed.error || parsed.statements?.length !== 1) {
    throw new QueryRefusedError({ found: `${firstWord(sql)} (not a query)` });
  }
  const prepared = await extracted.prepare(0);
  if (prepared.statementType !== StatementType.SELECT) {
    prepared.destroySync();
    throw new QueryRefusedError({ found: `${firstWord(sql)} (not a query)` });
  }
  return prepared;
}
