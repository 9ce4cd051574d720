/** Whether DuckDB's native binding loads on this machine (`tunelake doctor`): a clone copied across platforms lacks it. */
import { DuckDBInstance } from "@duckdb/node-api";

/** Opens an in-memory DuckDB and runs one statement; throws the binding's error when it cannot. */
export async function probeDuckDb(): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SELECT 1");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
