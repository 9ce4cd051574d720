/** The checks' results (the query with a failed_rows column) get one more failed check, first. */
import { defineFault } from "./define-fault.ts";

/** The check row the fault adds to the checks' results. */
export const INJECTED_CHECK_NAME = "injected_fault_validation_failed";

export default defineFault({
  name: "validation-failed",
  description: "a data-quality check fails (the run fails at the validation gate)",
  target: "athena",
  apply: (athena) => ({
    ...athena,
    async getQueryResults(input) {
      const results = await athena.getQueryResults(input);
      const columns = results.ResultSet.ResultSetMetadata.ColumnInfo.map((c) => c.Name);
      if (!columns.includes("failed_rows")) return results;
      const [header, ...rows] = results.ResultSet.Rows;
      const injected = {
        Data: [
          { VarCharValue: INJECTED_CHECK_NAME },
          { VarCharValue: "1" },
          ...(columns.includes("failed_check") ? [{ VarCharValue: `${INJECTED_CHECK_NAME}=1` }] : []),
        ],
      };
      return {
        ...results,
        ResultSet: { ...results.ResultSet, Rows: [...(header ? [header] : []), injected, ...rows] },
      };
    },
  }),
});
