/** The `QueryEngine` port over a deployed stage: Athena in the stage's workgroup, tables from its Glue database. */
import type { QueryEngine, QueryResult, TableInfo } from "@tunelake/core/ports";
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
  /** Timeout and polling of each query (see cloud-query.ts). */
  query?: Pick<CloudQueryOptions, "timeoutMs" | "pollIntervalMs" | "maxRows">;
}

/** SQL on a stage, as `tunelake query --stage S` runs it; the stage is resolved once, on first use. */
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
      const result = await cloudQuery(sql, { ...options.query, ...(await on()) });
      return {
        columns: result.columns,
        rows: result.rows,
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
