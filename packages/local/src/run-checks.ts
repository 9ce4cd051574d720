/** Runs the data-quality SQL on DuckDB, over the local catalog, exactly as Athena runs it in the cloud. */

import { bindExecutionParameters, buildChecksSql, checksParameters } from "@tunelake/core/checks/checks-sql";
import type { LocalCatalog } from "./catalog.ts";

export interface CheckResult {
  check_name: string;
  failed_rows: number;
}

/** Every check's result for a run date, worst first. */
export async function runChecksLocally(catalog: Pick<LocalCatalog, "query">, date: string): Promise<CheckResult[]> {
  const rows = await catalog.query(bindExecutionParameters(buildChecksSql(), checksParameters(date)));
  return rows.map((row) => ({ check_name: String(row.check_name), failed_rows: Number(row.failed_rows) }));
}

/** The checks that failed. */
export const failedChecks = (results: readonly CheckResult[]): CheckResult[] =>
  results.filter((r) => r.failed_rows > 0);
