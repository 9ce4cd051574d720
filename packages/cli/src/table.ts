import Table from "cli-table3";

/** A compact table (no rule between rows) for terminal output. */
export function newTable(head: string[]): InstanceType<typeof Table> {
  return new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
}
