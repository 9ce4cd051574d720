/**
 * What Athena (engine v3, Trino) does with SQL before running it, modelled on a Trino parse tree (dt-sql-parser's
 * TrinoSQL grammar), so tests and the local Athena stand-in refuse the SQL that Athena refuses:
 * - syntax: DuckDB-only forms (`x::int`, `QUALIFY`, `[1, 2]` list literals, `list_*` functions) are errors;
 * - execution parameters: "? parameters can be placed only in the WHERE clause" (Athena, parameterized queries);
 * - table reads: Trino inlines every reference to a `WITH` query, so a CTE read three times reads its tables three
 *   times. {@link analyzeTrinoSql} counts table reads that way;
 * - stages: Trino refuses a plan above `query.max-stage-count` (default 100) with `QUERY_HAS_TOO_MANY_STAGES`.
 *   {@link TrinoAnalysis.estimatedStages} approximates the planner: one output stage, one source stage per inlined
 *   table read and one stage per inlined aggregation (GROUP BY, SELECT DISTINCT or an aggregate function), which is
 *   where Trino puts a hash exchange. Joins are not counted (small tables are broadcast), so the estimate errs low.
 */
import type { ParserRuleContext, ParseTree } from "antlr4ng";
// The Trino grammar alone: the package's index re-exports every dialect's parser (20 MB of JavaScript), which every
// process that imported it loaded (and the test runner compiled, about 8 s per worker).
import { TrinoSQL } from "dt-sql-parser/dist/parser/trino/index.js";
import { QueryRefusedError, TrinoSqlError, type TrinoSqlIssue } from "../errors.ts";

/** Trino's default `query.max-stage-count`, which Athena keeps. */
export const TRINO_MAX_STAGES = 100;

/** Functions DuckDB has and Trino does not (the grammar accepts any function name, so these are listed). */
const DUCKDB_ONLY_FUNCTION = /^(list_\w+|array_length|struct_pack|string_agg|strftime|epoch_ms|regexp_matches)$/;

const AGGREGATE_FUNCTION =
  /^(count|count_if|sum|min|max|avg|arbitrary|any_value|bool_and|bool_or|every|array_agg|map_agg|approx_distinct|approx_percentile|stddev|variance|listagg|max_by|min_by)$/;

export interface TrinoAnalysis {
  /** Reads per table (lowercase, unqualified), with every CTE reference inlined as Trino inlines it. */
  tableReads: Record<string, number>;
  /** Total table reads, CTEs inlined. */
  totalReads: number;
  /** Aggregating query blocks, CTEs inlined. */
  aggregations: number;
  /** Rough Trino stage count (see the module comment). */
  estimatedStages: number;
  /** Each `?` with where it is and whether it sits in a WHERE clause. */
  parameters: { line: number; column: number; inWhere: boolean }[];
}

let parser: TrinoSQL | undefined;
let ruleNames: readonly string[] = [];
const trino = (): TrinoSQL => {
  if (!parser) {
    parser = new TrinoSQL();
    ruleNames = parser.createParser("").ruleNames;
  }
  return parser;
};

const rule = (node: ParseTree): string | undefined =>
  "ruleIndex" in node && typeof node.ruleIndex === "number" ? ruleNames[node.ruleIndex] : undefined;

function* children(node: ParseTree): Generator<ParseTree> {
  for (let i = 0; i < node.getChildCount(); i++) {
    const child = node.getChild(i);
    if (child) yield child;
  }
}

function* descendants(node: ParseTree, stopAt?: (n: ParseTree) => boolean): Generator<ParseTree> {
  for (const child of children(node)) {
    yield child;
    if (!stopAt?.(child)) yield* descendants(child, stopAt);
  }
}

/** `"Tracks"` / `db.tracks` -> `tracks`: the unqualified, unquoted name Athena resolves in the current database. */
const tableName = (text: string): string => {
  const last = text.split(".").at(-1) ?? text;
  return last.replace(/^"(.*)"$/, "$1").toLowerCase();
};

const position = (node: ParseTree) => {
  const start = (node as Partial<ParserRuleContext>).start;
  return { line: start?.line ?? 0, column: (start?.column ?? 0) + 1 };
};

/** Parses with the Trino grammar and throws {@link TrinoSqlError} on any syntax Trino does not have. */
export function parseTrinoSql(sql: string): ParserRuleContext {
  const errors = trino().validate(sql);
  if (errors.length > 0) {
    throw new TrinoSqlError({
      issues: errors.map((e) => ({ line: e.startLine, column: e.startColumn, message: e.message })),
    });
  }
  const tree = trino().parse(sql);
  const issues: TrinoSqlIssue[] = [];
  for (const node of descendants(tree)) {
    if (rule(node) === "functionName") {
      const name = tableName(node.getText());
      if (DUCKDB_ONLY_FUNCTION.test(name)) {
        issues.push({ ...position(node), message: `${name}() is a DuckDB function, not Trino` });
      }
    }
  }
  if (issues.length > 0) throw new TrinoSqlError({ issues });
  return tree;
}

interface Cost {
  reads: Map<string, number>;
  aggregations: number;
}

const addCost = (into: Cost, from: Cost) => {
  for (const [name, n] of from.reads) into.reads.set(name, (into.reads.get(name) ?? 0) + n);
  into.aggregations += from.aggregations;
};

const isQuery = (node: ParseTree) => rule(node) === "query";

function aggregates(spec: ParseTree): boolean {
  for (const child of children(spec)) {
    if (rule(child) === "groupBy") return true;
    if (rule(child) === "setQuantifier" && /^distinct$/i.test(child.getText())) return true;
  }
  // Aggregate calls of this block only: nested queries are blocks of their own.
  for (const node of descendants(spec, isQuery)) {
    if (rule(node) === "functionName" && AGGREGATE_FUNCTION.test(tableName(node.getText()))) {
      // A window function (`count(*) OVER (...)`) is not a grouping aggregation.
      const call = node.parent;
      const windowed = call ? [...children(call)].some((c) => rule(c) === "over") : false;
      if (!windowed) return true;
    }
  }
  return false;
}

/** The cost of a subtree with the CTEs in scope inlined. */
function costOf(node: ParseTree, scope: ReadonlyMap<string, Cost>): Cost {
  const cost: Cost = { reads: new Map(), aggregations: 0 };
  const r = rule(node);
  if (r === "query" && "with" in node && typeof node.with === "function") {
    const withClause = node.with() as ParseTree | null;
    const inner = new Map(scope);
    if (withClause) {
      for (const named of children(withClause)) {
        if (rule(named) !== "namedQuery") continue;
        const n = named as ParserRuleContext & { identifier(): ParseTree; query(): ParseTree };
        // A CTE sees the CTEs before it; a reference to it costs what its body costs, each time.
        inner.set(tableName(n.identifier().getText()), costOf(n.query(), inner));
      }
    }
    for (const child of children(node)) if (child !== withClause) addCost(cost, costOf(child, inner));
    return cost;
  }
  if (r === "relationPrimary" && "tableOrViewName" in node && typeof node.tableOrViewName === "function") {
    const name = tableName((node.tableOrViewName() as ParseTree).getText());
    const cte = scope.get(name);
    if (cte) addCost(cost, cte);
    else cost.reads.set(name, 1);
    return cost;
  }
  if (r === "querySpecification" && aggregates(node)) cost.aggregations += 1;
  for (const child of children(node)) addCost(cost, costOf(child, scope));
  return cost;
}

function parameterPlaces(tree: ParseTree): TrinoAnalysis["parameters"] {
  const out: TrinoAnalysis["parameters"] = [];
  for (const node of descendants(tree)) {
    // Rules such as LIMIT's row count have an optional QUESTION_MARK too: only a present one is a parameter.
    if (!("QUESTION_MARK" in node) || typeof node.QUESTION_MARK !== "function" || !node.QUESTION_MARK()) continue;
    // The nearest enclosing clause decides: a `?` in a JOIN ... ON or a SELECT list is not in a WHERE clause.
    let inWhere = false;
    for (let up = node.parent; up; up = up.parent) {
      const r = rule(up);
      if (r === "whereClause") {
        inWhere = true;
        break;
      }
      if (r === "querySpecification" || r === "joinCriteria" || r === "selectItem") break;
    }
    out.push({ ...position(node), inWhere });
  }
  return out;
}

/** Parses the SQL (throwing {@link TrinoSqlError} if Trino would not) and measures it as Trino plans it. */
export function analyzeTrinoSql(sql: string): TrinoAnalysis {
  const tree = parseTrinoSql(sql);
  const cost = costOf(tree, new Map());
  const tableReads = Object.fromEntries([...cost.reads.entries()].sort(([a], [b]) => a.localeCompare(b)));
  const totalReads = [...cost.reads.values()].reduce((a, b) => a + b, 0);
  return {
    tableReads,
    totalReads,
    aggregations: cost.aggregations,
    estimatedStages: 1 + totalReads + cost.aggregations,
    parameters: parameterPlaces(tree),
  };
}

/**
 * The reasons Athena would refuse the SQL before reading any data, as Athena words them, or none. Used by the local
 * Athena stand-in.
 */
export function athenaRefusals(sql: string, maxStages = TRINO_MAX_STAGES): string[] {
  // Parsing with the Trino grammar takes about a second of CPU for the checks' query, and a process (the local engine,
  // the console) sends the same text run after run: the answer is a pure function of the text, so it is kept.
  const key = `${maxStages}\n${sql}`;
  const known = refusalsByQuery.get(key);
  if (known) return [...known];
  const refusals = computeAthenaRefusals(sql, maxStages);
  if (refusalsByQuery.size >= REFUSALS_KEPT) refusalsByQuery.delete(refusalsByQuery.keys().next().value as string);
  refusalsByQuery.set(key, refusals);
  return [...refusals];
}

/** The last queries' refusals, oldest first (a bounded memo of {@link athenaRefusals}). */
const refusalsByQuery = new Map<string, string[]>();
const REFUSALS_KEPT = 32;

function computeAthenaRefusals(sql: string, maxStages: number): string[] {
  let analysis: TrinoAnalysis;
  try {
    analysis = analyzeTrinoSql(sql);
  } catch (error) {
    if (error instanceof TrinoSqlError) return [`SYNTAX_ERROR: ${error.message}`];
    throw error;
  }
  const refusals: string[] = [];
  for (const p of analysis.parameters.filter((x) => !x.inWhere)) {
    refusals.push(
      `INVALID_PARAMETER_USAGE: the ? at line ${p.line}:${p.column} is outside a WHERE clause; Athena: "? parameters can be placed only in the WHERE clause".`,
    );
  }
  if (analysis.estimatedStages > maxStages) {
    refusals.push(
      `QUERY_HAS_TOO_MANY_STAGES: Number of stages in the query (about ${analysis.estimatedStages}: ${analysis.totalReads} table reads with WITH queries inlined, ${analysis.aggregations} aggregations) exceeds the allowed maximum (${maxStages}). Read each table fewer times.`,
    );
  }
  return refusals;
}

/** `ExplainContext` -> `EXPLAIN`: the grammar's label of a statement alternative, as a statement kind. */
const statementKind = (node: ParseTree): string =>
  node.constructor.name
    .replace(/Context$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase();

/**
 * Throws {@link QueryRefusedError} unless the SQL is exactly one query statement (SELECT, WITH … SELECT, VALUES, a
 * set operation) as the Trino grammar reads it: no DDL, DML, EXPLAIN, SET SESSION, inline function, and no second
 * statement. SQL the grammar cannot parse is refused too (it cannot be shown to be a query). Checked before Athena
 * is called, so a refused statement never reaches the workgroup.
 */
export function assertSingleTrinoSelect(sql: string): void {
  const errors = trino().validate(sql);
  if (errors.length > 0) {
    const first = errors[0];
    throw new QueryRefusedError({
      found: `SQL that does not parse as Athena (Trino) SQL (line ${first?.startLine}:${first?.startColumn} ${first?.message})`,
    });
  }
  const statements = [...descendants(trino().parse(sql))].filter((n) => rule(n) === "singleStatement");
  if (statements.length !== 1) throw new QueryRefusedError({ found: `${statements.length} statements` });
  const statement = [...children(statements[0] as ParseTree)].find((n) => rule(n) === "statement");
  if (!statement || statementKind(statement) !== "STATEMENT DEFAULT") {
    throw new QueryRefusedError({
      found: statement ? `${statementKind(statement)} (not a query)` : "an empty statement",
    });
  }
  const root = [...children(statement)].find((n) => rule(n) === "rootQuery");
  if (!root || [...children(root)].some((n) => rule(n) === "withFunction")) {
    throw new QueryRefusedError({ found: "a query with an inline function (WITH FUNCTION)" });
  }
}
