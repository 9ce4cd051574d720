/** The `QueryEngine` port over a deployed stage: Athena in the stage's workgroup, tables from its Glue database. */
import { assertSingleTrinoSelect } from "@tunelake/core/checks/trino-sql";
import type { QueryEngine, QueryResult, TableInfo } from "@tunelake/core/ports";
import { capRows, DEFAULT_QUERY_LIMITS, type QueryLimits } from "@tunelake/core/query-limits";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import type { CloudClientOptions, CloudClients } from "./cloud-clients.ts";
import { type CloudQueryOptions, cloudQuery } from "./cloud-query.ts";
import { type CloudStage, openStage } from "./cloud-stage.ts";
import { cloudListTables } from "./cloud-tables.ts";

export interface AwsQueryEngineOptions {
  /** The stage name (from `.sst/outputs.json`, else CloudFormation) or its outputs, already resolved. */
  stage: string | StageOutputs;
  clients?: Partial<CloudClients>;
  root?: string;
  outputsFile?: string;
  clientOptions?: CloudClientOptions;
  /** Polling of each query (see cloud-query.ts). */
  query?: Pick<CloudQueryOptions, "pollIntervalMs">;
  /** Time limit (the query is stopped) and result caps (default {@link DEFAULT_QUERY_LIMITS}). */
  limits?: QueryLimits;
}

/**
 * SQL on a stage, as `tunelake query --stage S` and the console run it; the stage is resolved once, on first use.
 * Read-only: anything but one SELECT is refused before Athena is called (the workgroup would run DDL, CTAS or
 * UNLOAD), and the rows stop at the caps.
 */
export function createAwsQueryEngine(options: AwsQueryEngineOptions): QueryEngine {
  let opened: Promise<CloudStage> | undefined;
  const on = async () => {
    opened ??= openStage(options);
    const s = await opened;
    return { stage: s.outputs, clients: s.clients };
  };
  return {
    backend: "aws",
    async query(sql): Promise<QueryResult> {
      assertSingleTrinoSelect(sql);
      const limits = options.limits ?? DEFAULT_QUERY_LIMITS;
      const result = await cloudQuery(sql, {
        ...options.query,
        timeoutMs: limits.timeoutMs,
        // One row more than the cap tells a result of exactly maxRows rows from a truncated one.
        maxRows: limits.maxRows + 1,
        ...(await on()),
      });
      const { rows, truncated } = capRows(result.rows, limits);
      return {
        columns: result.columns,
        rows,
        ...(truncated ? { truncated } : {}),
        ...(result.dataScannedBytes !== undefined ? { bytesScanned: result.dataScannedBytes } : {}),
        queryExecutionId: result.queryExecutionId,
      };
    },
    async tables(): Promise<TableInfo[]> {
      return (await cloudListTables(await on())).map((t) => ({
        name: t.name,
        columns: [...t.columns, ...t.partitionKeys],
        ...(t.location ? { location: t.location } : {}),
      }));
    },
    async close() {
      const s = opened;
      opened = undefined;
      if (s) (await s.catch(() => undefined))?.close();
    },
  };
}
