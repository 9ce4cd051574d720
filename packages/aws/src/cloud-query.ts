/** Runs SQL in the stage's Athena workgroup and returns the rows as objects (`tunelake query --stage S`). */
import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  paginateGetQueryResults,
  type Row,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { doubling, pollUntil } from "@tunelake/core/resilience";
import { type CloudStageOptions, withStage } from "./cloud-stage.ts";
import { AthenaQueryError } from "./errors.ts";

export interface CloudQueryOptions extends CloudStageOptions {
  /** Values for `?` placeholders (Athena ExecutionParameters; quote strings: `'2026-11-20'`). */
  parameters?: string[];
  /** Glue database (default: the stage's). */
  database?: string;
  /** Give up (and stop the query) after this long (default 5 minutes). */
  timeoutMs?: number;
  /** First poll delay; doubles up to 2 s (default 250 ms). */
  pollIntervalMs?: number;
  /** Stop reading result pages after this many rows. */
  maxRows?: number;
}

export interface CloudQueryResult {
  queryExecutionId: string;
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  dataScannedBytes?: number;
}

const INTEGER_TYPES = new Set(["tinyint", "smallint", "integer", "int"]);
const FLOAT_TYPES = new Set(["double", "float", "real"]);

/** Athena returns every value as a string: numbers and booleans become JSON ones, like the local query engine's. */
export function athenaValue(type: string, text: string | undefined): unknown {
  if (text === undefined) return null;
  const t = type.toLowerCase();
  if (INTEGER_TYPES.has(t) || FLOAT_TYPES.has(t)) return Number(text);
  if (t === "bigint") {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (t === "boolean") return text === "true";
  return text;
}

const isHeader = (row: Row | undefined, columns: ColumnInfo[]): boolean =>
  row?.Data?.length === columns.length &&
  columns.length > 0 &&
  row.Data.every((cell, i) => cell.VarCharValue === (columns[i]?.Label ?? columns[i]?.Name));

async function waitForQuery(athena: AthenaClient, id: string, options: CloudQueryOptions): Promise<number | undefined> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const scanned = await pollUntil<{ bytes: number | undefined }>(
    async () => {
      const { QueryExecution: q } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = q?.Status?.State;
      if (state === "SUCCEEDED") return { bytes: q?.Statistics?.DataScannedInBytes };
      if (state === "FAILED" || state === "CANCELLED") {
        throw new AthenaQueryError({
          reason: "ended",
          queryExecutionId: id,
          state,
          stateReason: q?.Status?.StateChangeReason ?? q?.Status?.AthenaError?.ErrorMessage ?? "no reason given",
          retryable: q?.Status?.AthenaError?.Retryable ?? false,
        });
      }
      return undefined;
    },
    {
      intervalMs: doubling(options.pollIntervalMs ?? 250, 2000),
      timeoutMs,
      onTimeout: async () => {
        await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
        throw new AthenaQueryError({ reason: "timedOut", queryExecutionId: id, timeoutMs });
      },
    },
  );
  return scanned.bytes;
}

/** Starts the query in the stage's workgroup, waits for it, and reads every result page. */
export async function cloudQuery(sql: string, options: CloudQueryOptions): Promise<CloudQueryResult> {
  return withStage(options, async ({ outputs, clients: { athena } }) => {
    const started = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: outputs.workGroup,
        QueryExecutionContext: { Database: options.database ?? outputs.glueDatabase },
        ...(options.parameters?.length ? { ExecutionParameters: options.parameters } : {}),
      }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new AthenaQueryError({ reason: "noExecutionId" });
    const dataScannedBytes = await waitForQuery(athena, id, options);

    let columns: ColumnInfo[] = [];
    let named: { name: string; type: string }[] = [];
    const rows: Record<string, unknown>[] = [];
    let first = true;
    for await (const page of paginateGetQueryResults({ client: athena, pageSize: 1000 }, { QueryExecutionId: id })) {
      if (first) {
        columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        named = columns.map((c, i) => ({ name: c.Label ?? c.Name ?? `_col${i}`, type: c.Type ?? "varchar" }));
      }
      let pageRows = page.ResultSet?.Rows ?? [];
      // SELECT results start with a header row (DDL results do not).
      if (first && isHeader(pageRows[0], columns)) pageRows = pageRows.slice(1);
      first = false;
      for (const row of pageRows) {
        rows.push(Object.fromEntries(named.map((c, i) => [c.name, athenaValue(c.type, row.Data?.[i]?.VarCharValue)])));
        if (options.maxRows !== undefined && rows.length >= options.maxRows) break;
      }
      if (options.maxRows !== undefined && rows.length >= options.maxRows) break;
    }
    return {
      queryExecutionId: id,
      columns: named,
      rows,
      ...(dataScannedBytes !== undefined ? { dataScannedBytes } : {}),
    };
  });
}
