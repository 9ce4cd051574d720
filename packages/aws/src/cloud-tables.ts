/** The stage's Glue tables (what the crawler registered): names, columns and partition keys, for the CLI. */
import { paginateGetTables } from "@aws-sdk/client-glue";
import { type CloudStageOptions, withStage } from "./cloud-stage.ts";

export interface CloudTable {
  name: string;
  columns: { name: string; type: string }[];
  /** The partition keys with their Glue types (`dt` string), after the columns in Athena's `SELECT *`. */
  partitionKeys: { name: string; type: string }[];
  location?: string;
  updateTime?: string;
}

/** Every table of the stage's Glue database (all GetTables pages), sorted by name. */
export async function cloudListTables(options: CloudStageOptions): Promise<CloudTable[]> {
  return withStage(options, async ({ outputs, clients: { glue } }) => {
    const tables: CloudTable[] = [];
    for await (const page of paginateGetTables({ client: glue }, { DatabaseName: outputs.glueDatabase })) {
      for (const t of page.TableList ?? []) {
        tables.push({
          name: t.Name ?? "",
          columns: (t.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name ?? "", type: c.Type ?? "" })),
          partitionKeys: (t.PartitionKeys ?? []).map((k) => ({ name: k.Name ?? "", type: k.Type ?? "" })),
          ...(t.StorageDescriptor?.Location ? { location: t.StorageDescriptor.Location } : {}),
          ...(t.UpdateTime ? { updateTime: t.UpdateTime.toISOString() } : {}),
        });
      }
    }
    return tables.sort((a, b) => a.name.localeCompare(b.name));
  });
}
