/**
 * The Athena stand-in behind Validate (`startQueryExecution.sync`) and GetValidationResults (`getQueryResults`):
 * refuses what Athena refuses before running anything (SQL the Trino grammar does not parse, a `?` outside a WHERE
 * clause, a plan above Trino's stage limit: src/checks/trino-sql.ts), binds `ExecutionParameters` as Athena does,
 * runs the SQL on DuckDB over the local catalog, keeps the result under `<home>/athena/<id>.json` and answers in
 * Athena's shapes.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bindExecutionParameters } from "@tunelake/core/checks/checks-sql";
import { athenaRefusals } from "@tunelake/core/checks/trino-sql";
import { type CatalogColumn, openLocalCatalog } from "./catalog.ts";
import { AthenaInvalidRequestError, QueryExecutionFailedError } from "./errors.ts";
import { toVarChar } from "./json-values.ts";
import { localPaths } from "./paths.ts";

interface StoredQuery {
  QueryExecutionId: string;
  Query: string;
  WorkGroup: string;
  State: "SUCCEEDED" | "FAILED";
  SubmissionDateTime: string;
  CompletionDateTime: string;
  StateChangeReason?: string;
  columns: CatalogColumn[];
  rows: (string | undefined)[][];
}

interface StartQueryInput {
  QueryString?: string;
  WorkGroup?: string;
  ExecutionParameters?: string[];
}

/** DuckDB type names as Athena's ColumnInfo spells them. */
function athenaType(duckdbType: string): string {
  const t = duckdbType.toUpperCase();
  if (t === "BIGINT" || t === "HUGEINT" || t === "UBIGINT") return "bigint";
  if (t === "INTEGER") return "integer";
  if (t === "DOUBLE" || t === "FLOAT") return "double";
  if (t === "BOOLEAN") return "boolean";
  if (t === "DATE") return "date";
  if (t.startsWith("TIMESTAMP")) return "timestamp";
  if (t.startsWith("DECIMAL")) return "decimal";
  return "varchar";
}

/** Dates and timestamps as Athena prints them (`2026-11-21`, `2026-11-21 08:00:00.000`). */
function athenaText(text: string | undefined, type: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (type === "date") return text.slice(0, 10);
  if (type === "timestamp" && /^\d{4}-\d{2}-\d{2}T/.test(text)) return text.replace("T", " ").replace(/Z$/, "");
  return text;
}

export interface LocalAthenaOptions {
  home: string;
}

/** The Athena stand-in's two calls, as the engine binds them to Validate and GetValidationResults. */
export type LocalAthena = ReturnType<typeof createLocalAthena>;

/** startQueryExecution.sync and getQueryResults for one local execution. */
export function createLocalAthena(options: LocalAthenaOptions) {
  const dir = localPaths(options.home).athena;

  return {
    async startQueryExecutionSync(input: unknown) {
      const { QueryString, WorkGroup = "primary", ExecutionParameters = [] } = (input ?? {}) as StartQueryInput;
      if (!QueryString) throw new AthenaInvalidRequestError({ missing: "QueryString" });
      const id = randomUUID();
      const submitted = new Date().toISOString();
      const refusals = athenaRefusals(QueryString);
      const sql = refusals.length > 0 ? QueryString : bindExecutionParameters(QueryString, ExecutionParameters);
      const catalog = await openLocalCatalog(options.home);
      let stored: StoredQuery;
      /** Athena fails a query as a whole (state FAILED), never with partial results. */
      const failed = (reason: string): StoredQuery => ({
        QueryExecutionId: id,
        Query: sql,
        WorkGroup,
        State: "FAILED",
        SubmissionDateTime: submitted,
        CompletionDateTime: new Date().toISOString(),
        StateChangeReason: reason,
        columns: [],
        rows: [],
      });
      try {
        if (refusals.length > 0) {
          stored = failed(refusals.join(" "));
        } else {
          const result = await catalog.queryTable(sql);
          const types = result.columns.map((c) => athenaType(c.type));
          const rows = result.rows.map((row) => row.map((value, i) => athenaText(toVarChar(value), types[i])));
          stored = {
            QueryExecutionId: id,
            Query: sql,
            WorkGroup,
            State: "SUCCEEDED",
            SubmissionDateTime: submitted,
            CompletionDateTime: new Date().toISOString(),
            columns: result.columns,
            rows,
          };
        }
      } catch (error) {
        stored = failed(error instanceof Error ? error.message : String(error));
      } finally {
        catalog.close();
      }
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `${id}.json`), `${JSON.stringify(stored, null, 2)}\n`);
      const queryExecution = {
        QueryExecutionId: id,
        Query: sql,
        StatementType: "DML",
        WorkGroup,
        Status: {
          State: stored.State,
          SubmissionDateTime: stored.SubmissionDateTime,
          CompletionDateTime: stored.CompletionDateTime,
          ...(stored.StateChangeReason ? { StateChangeReason: stored.StateChangeReason } : {}),
        },
      };
      if (stored.State === "FAILED") {
        // What a `.sync` integration raises when the query ends FAILED; the cause is the QueryExecution.
        throw new QueryExecutionFailedError({ queryExecution });
      }
      return { QueryExecution: queryExecution };
    },

    async getQueryResults(input: unknown) {
      const { QueryExecutionId } = (input ?? {}) as { QueryExecutionId?: string };
      const text = QueryExecutionId
        ? await readFile(join(dir, `${QueryExecutionId}.json`), "utf8").catch(() => undefined)
        : undefined;
      if (!text) {
        throw new AthenaInvalidRequestError({ unknownQueryExecutionId: QueryExecutionId ?? "(none)" });
      }
      const stored = JSON.parse(text) as StoredQuery;
      // NULL cells come back from JSON as null; Athena leaves VarCharValue out for them.
      const cell = (value: string | null | undefined) => (value == null ? {} : { VarCharValue: value });
      return {
        UpdateCount: 0,
        ResultSet: {
          Rows: [
            { Data: stored.columns.map((c) => ({ VarCharValue: c.name })) },
            ...stored.rows.map((row) => ({ Data: row.map(cell) })),
          ],
          ResultSetMetadata: {
            ColumnInfo: stored.columns.map((c) => ({
              CatalogName: "hive",
              SchemaName: "",
              TableName: "",
              Name: c.name,
              Label: c.name,
              Type: athenaType(c.type),
              Precision: 0,
              Scale: 0,
              Nullable: "UNKNOWN",
              CaseSensitive: false,
            })),
          },
        },
      };
    },
  };
}
