/**
 * One in-memory DuckDB instance for one transform call: Lambda-safe settings (home and temp directories under the
 * work directory, memory limit, threads, no extension downloads), raw tables loaded from gzip NDJSON with explicit
 * column types (all up front, each file read once), and staging tables built on demand, each at most once.
 */
import { createReadStream } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createGunzip, gunzip, gzip } from "node:zlib";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { RawLoadError, UnknownDeclarationError } from "../errors.ts";
import { MAX_RAW_LINE_BYTES } from "../extract/raw-line.ts";
import type { RawEntity } from "../lake.ts";
import { retry, verdict } from "../resilience.ts";
import { sqlString } from "../sql-quote.ts";
import { stagingModel } from "../tables/index.ts";
import { type ColumnType, RAW_COLUMNS, RAW_LOAD, renderType } from "./raw-columns.ts";
import { MACROS_SQL } from "./sql-macros.ts";

export interface SessionOptions {
  /** A private directory for this session: DuckDB's home and spill files go under it. */
  dir: string;
  /** DuckDB's memory limit in MB (Lambda: a share of the function's memory). */
  memoryLimitMb?: number;
  /**
   * The most threads DuckDB may use (default: the machine's cores). A day with little raw data gets fewer: see
   * {@link threadsFor}.
   */
  threads?: number;
  /**
   * Threads and memory limit (MB) while the raw files are loaded, when they should differ from the above: DuckDB
   * decompresses and parses one gzip file per thread, each with its own buffers, while the later queries read the
   * small loaded tables and need fewer threads and less memory.
   */
  loadThreads?: number;
  loadMemoryLimitMb?: number;
  /**
   * Scan the raw files for lines longer than MAX_LINE_BYTES before loading them (default true); false when the
   * day's manifest says its extract wrote no such line.
   */
  scanLongLines?: boolean;
}

/**
 * Raw gzip bytes per DuckDB thread. DuckDB splits work by file (a gzip file is read by one thread) and by row group
 * (122,880 rows, tens of MB of gzip NDJSON); a day smaller than that gains nothing from a second thread and pays for
 * scheduling it: a sample day's six transforms took about a quarter more CPU with two threads than with one, in the
 * same wall time.
 */
export const RAW_BYTES_PER_THREAD = 16 * 1024 * 1024;

/** The threads a session over `rawBytes` of gzip NDJSON uses: one per RAW_BYTES_PER_THREAD, 1 to `most`. */
export function threadsFor(rawBytes: number, most: number): number {
  return Math.max(1, Math.min(Math.floor(most), Math.ceil(rawBytes / RAW_BYTES_PER_THREAD)));
}

const threadsSetting = (threads: number): string => String(Math.max(1, Math.floor(threads)));
const memorySetting = (mb: number): string => `${Math.max(64, Math.floor(mb))}MB`;

/** A raw line DuckDB could not read with its entity's types (not JSON, or a field of another type): set aside. */
export interface QuarantinedLine {
  entity: RawEntity;
  /** The raw key of the file (`tracks/dt=.../part-00000.ndjson.gz`) when the session was given it, else its path. */
  file: string;
  /** 1-based line number in that file. */
  line: number;
  reason: string;
  text: string;
}

/** A raw field whose value was of another type in `count` objects, read as NULL (see countMistyped). */
export interface MistypedField {
  entity: RawEntity;
  /** Dotted path, e.g. `album.total_tracks`. */
  field: string;
  count: number;
}

/** The json_transform structure of a column type (a JSON text: `"BIGINT"`, `{"a": "VARCHAR"}`, `["VARCHAR"]`). */
export function jsonStructure(type: ColumnType): string {
  const structure = (t: ColumnType): unknown =>
    typeof t === "string"
      ? t
      : Array.isArray(t)
        ? [structure(t[0] as ColumnType)]
        : Object.fromEntries(Object.entries(t as Record<string, ColumnType>).map(([k, sub]) => [k, structure(sub)]));
  return JSON.stringify(structure(type));
}

/** At most this many lines per raw file are set aside; more means the day's data is broken, not a few objects. */
export const MAX_QUARANTINED_LINES = 100;
/**
 * Longest raw line the transform loads, in bytes: Extract never writes a line longer than MAX_RAW_LINE_BYTES
 * characters (at most 3 bytes each in UTF-8), so a longer one was written another way, e.g. a 20 MB `name`; it is set
 * aside as a counted reject like an unreadable line instead of being loaded (docs/tables.md). DuckDB's own
 * `maximum_object_size` is not enforced by newline-delimited reads, so the files are scanned first.
 */
export const MAX_LINE_BYTES = 3 * MAX_RAW_LINE_BYTES;
/** Characters of a set-aside line kept in its reject line. */
const MAX_QUARANTINED_TEXT = 64 * 1024;

// DuckDB names the file and a line near the bad one: "JSON transform error in file "F", in line N: reason" or
// "Malformed JSON in file "F", at byte B in line N: reason".
const LINE_ERROR = /in file "([^"]+)", (?:at byte \d+ )?in line \d+: ([^\n]*)/;

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/** The length in bytes of the longest line of `text`. */
function longestLine(text: Buffer): number {
  let longest = 0;
  for (let from = 0; from < text.length; ) {
    const nl = text.indexOf(10, from);
    const end = nl === -1 ? text.length : nl;
    longest = Math.max(longest, end - from);
    from = end + 1;
  }
  return longest;
}

export class TransformSession {
  private readonly built = new Set<string>();
  /** Raw lines set aside while loading, with their reasons (the caller writes them to the rejects area). */
  readonly quarantined: QuarantinedLine[] = [];
  /** Fields of another type than the transform reads, per raw entity: kept in raw, NULL in the curated tables. */
  readonly mistyped: MistypedField[] = [];
  private quarantineFiles = 0;
  /** For a file rewritten without set-aside lines: its raw key and each remaining line's original line number. */
  private readonly rewritten = new Map<string, { key: string; lineNumbers: number[] }>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly files: Partial<Record<RawEntity, string[]>>,
    /** Gzip bytes of each raw entity's files. */
    private readonly rawBytes: ReadonlyMap<RawEntity, number>,
    private readonly keys: ReadonlyMap<string, string>,
    private readonly options: SessionOptions,
  ) {}

  /**
   * Opens DuckDB; `files` are the local gzip NDJSON files per raw entity (absent or empty: no objects that day),
   * `keys` the raw key of each file (named in quarantined lines and errors).
   */
  static async open(
    options: SessionOptions,
    files: Partial<Record<RawEntity, string[]>>,
    keys: ReadonlyMap<string, string> = new Map(),
  ): Promise<TransformSession> {
    const home = path.join(options.dir, "duckdb-home");
    const temp = path.join(options.dir, "duckdb-tmp");
    await Promise.all([mkdir(home, { recursive: true }), mkdir(temp, { recursive: true })]);
    const rawBytes = new Map(
      await Promise.all(
        (Object.entries(files) as [RawEntity, string[]][]).map(async ([entity, list]) => {
          const sizes = await Promise.all(list.map(async (file) => (await stat(file)).size));
          return [entity, sizes.reduce((sum, size) => sum + size, 0)] as const;
        }),
      ),
    );
    const allBytes = [...rawBytes.values()].reduce((sum, bytes) => sum + bytes, 0);
    const sized = (most: number | undefined) => (most === undefined ? undefined : threadsFor(allBytes, most));
    const threads = threadsFor(allBytes, options.threads ?? availableParallelism());
    const { instance, connection } = await takeInstance({
      home_directory: home,
      temp_directory: temp,
      // Row order inside a Parquet file carries no meaning here; dropping it lets DuckDB stream and parallelize.
      preserve_insertion_order: "false",
      // JSON and Parquet are built in; never fetch extensions at run time (Lambda has no writable home otherwise).
      autoinstall_known_extensions: "false",
      threads: threadsSetting(threads),
      memory_limit: options.memoryLimitMb === undefined ? undefined : memorySetting(options.memoryLimitMb),
    });
    const session = new TransformSession(instance, connection, files, rawBytes, keys, {
      ...options,
      threads,
      loadThreads: sized(options.loadThreads),
    });
    await session.run(MACROS_SQL);
    return session;
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Runs a query and returns its rows as value arrays. */
  async rows(sql: string): Promise<unknown[][]> {
    return (await this.connection.runAndReadAll(sql)).getRows();
  }

  /** Runs a statement and returns its first value as a number (e.g. the row count COPY reports). */
  async count(sql: string): Promise<number> {
    const reader = await this.connection.runAndReadAll(sql);
    const value = reader.getRows()[0]?.[0];
    return value === undefined || value === null ? 0 : Number(value);
  }

  /**
   * Loads the given raw entities up front, smallest first, with the load settings (see SessionOptions); the
   * largest entity comes last so no other JSON read needs buffers while its table holds memory. Then the session's
   * own settings apply again.
   */
  async loadRaw(entities: readonly RawEntity[]): Promise<void> {
    const sized = entities.map((entity) => ({ entity, bytes: this.rawBytes.get(entity) ?? 0 }));
    sized.sort((a, b) => a.bytes - b.bytes);
    const { loadThreads, loadMemoryLimitMb } = this.options;
    const [threads, memory] = [await this.setting("threads"), await this.setting("memory_limit")];
    if (loadThreads !== undefined) await this.run(`SET threads = ${threadsSetting(loadThreads)}`);
    if (loadMemoryLimitMb !== undefined) await this.run(`SET memory_limit = '${memorySetting(loadMemoryLimitMb)}'`);
    try {
      for (const { entity } of sized) {
        await this.build(`raw_${entity}`).catch((error: unknown) => {
          throw new RawLoadError({ entity, cause: error });
        });
      }
    } finally {
      if (loadThreads !== undefined && threads) await this.run(`SET threads = ${threads}`);
      if (loadMemoryLimitMb !== undefined && memory) await this.run(`SET memory_limit = ${sqlString(memory)}`);
    }
  }

  /** Builds every raw and staging table a model refs (and what those ref), each once. */
  async prepare(refs: readonly string[]): Promise<void> {
    for (const name of refs) await this.build(name);
  }

  /** Creates a table the caller computes (e.g. `other_plays`), for the models that ref it. */
  async provide(name: string, sql: string): Promise<void> {
    await this.run(`CREATE OR REPLACE TEMP TABLE ${name} AS ${sql}`);
    this.built.add(name);
  }

  private async build(name: string): Promise<void> {
    if (this.built.has(name)) return;
    if (name.startsWith("raw_")) {
      await this.loadRawTable(name.slice(4) as RawEntity);
    } else {
      const model = stagingModel(name);
      if (model === undefined) {
        throw new UnknownDeclarationError({
          kind: "staging model",
          name,
          declaredIn: "packages/core/src/tables/staging.ts",
        });
      }
      await this.prepare(model.refs);
      // Each model says whether it is stored or a view (tables/staging.ts says why they are stored today).
      await this.run(`CREATE TEMP ${model.materialized === "view" ? "VIEW" : "TABLE"} ${name} AS ${model.sql}`);
    }
    this.built.add(name);
  }

  private async loadRawTable(entity: RawEntity): Promise<void> {
    const columns = RAW_COLUMNS[entity];
    if (columns === undefined) {
      throw new UnknownDeclarationError({ kind: "raw entity", name: entity, declaredIn: "packages/core/src/sources" });
    }
    let files = this.files[entity] ?? [];
    const columnMap = Object.entries(columns).map(
      ([name, type]) => `${sqlString(name)}: ${sqlString(renderType(type))}`,
    );
    const read = (paths: string[]) =>
      `read_ndjson([${paths.map(sqlString).join(", ")}], columns = {${columnMap.join(", ")}},
        format = 'newline_delimited', compression = 'gzip', hive_partitioning = false)`;
    const select = (from: string) => `SELECT ${RAW_LOAD[entity] ?? "*"} FROM ${from}`;
    if (files.length === 0) {
      // No files that day: the same typed columns with no rows, so every query still binds.
      const empty = `(SELECT ${Object.entries(columns)
        .map(([name, type]) => `NULL::${renderType(type)} AS "${name}"`)
        .join(", ")} LIMIT 0)`;
      await this.run(`CREATE TEMP TABLE raw_${entity} AS ${select(empty)}`);
      return;
    }
    // The fast path reads every file once with the typed columns. When that fails (a field of another type, a line
    // that is not JSON or not an object), the files are read leniently: each column as JSON, then converted with
    // json_transform, which turns a value of another type into NULL (the object is kept, see docs/tables.md). Only
    // lines that fail even that (not JSON, not an object) are set aside one by one, each with its reason.
    // A day whose manifest does not vouch for Extract's line limit is scanned first, so that a line too long to load
    // (a 20 MB name) is set aside before DuckDB ever reads it; the copies without such lines are loaded instead.
    if (this.options.scanLongLines !== false) {
      files = await Promise.all(files.map((file) => this.setAsideLongLines(entity, file)));
    }
    try {
      await this.run(`CREATE OR REPLACE TEMP TABLE raw_${entity} AS ${select(read(files))}`);
      return;
    } catch {
      // Retried leniently below.
    }
    const jsonColumns = Object.keys(columns).map((name) => `${sqlString(name)}: 'JSON'`);
    const readJson = (paths: string[]) =>
      `read_ndjson([${paths.map(sqlString).join(", ")}], columns = {${jsonColumns.join(", ")}},
        format = 'newline_delimited', compression = 'gzip', hive_partitioning = false)`;
    const converted = Object.entries(columns)
      .map(([name, type]) => `json_transform("${name}", ${sqlString(jsonStructure(type))}) AS "${name}"`)
      .join(", ");
    const lenient = (from: string) => select(`(SELECT ${converted} FROM ${from})`);
    // Each failed read that names a line of one file sets that file's bad lines aside and reads again.
    await retry(async () => {
      try {
        await this.run(`CREATE OR REPLACE TEMP TABLE json_${entity} AS SELECT * FROM ${readJson(files)}`);
        await this.run(`CREATE OR REPLACE TEMP TABLE raw_${entity} AS ${lenient(`json_${entity}`)}`);
        await this.countMistyped(entity, columns);
        await this.run(`DROP TABLE json_${entity}`);
        return verdict.done(undefined);
      } catch (error) {
        const message = (error as Error).message;
        // Say which files, whatever DuckDB said (a truncated gzip names none), without its hints for SQL users.
        const failure = () =>
          new Error(`${message.split("\nTry setting")[0]} (reading ${files.map((f) => this.keyOf(f)).join(", ")})`, {
            cause: error,
          });
        const match = LINE_ERROR.exec(message);
        const file = match?.[1];
        if (!match || !file || !files.includes(file)) return verdict.fail(failure());
        const cleaned = await this.setAsideLines(entity, file, match[2] ?? "unreadable", (check) =>
          this.lineFails(lenient(readJson([check]))),
        ).catch(() => undefined);
        if (!cleaned) return verdict.fail(failure());
        files = files.map((f) => (f === file ? cleaned : f));
        return verdict.retryIn(0);
      }
    });
  }

  /**
   * Counts, per field (dotted path, lists not entered), the values of another type that the lenient read turned
   * into NULL, from the JSON copy `json_<entity>`.
   */
  private async countMistyped(entity: RawEntity, columns: Record<string, ColumnType>): Promise<void> {
    const checks: { field: string; sql: string }[] = [];
    const visit = (field: string, json: string, type: ColumnType): void => {
      if (typeof type === "string") {
        checks.push({
          field,
          sql: `json_type(${json}) <> 'NULL' AND json_transform(${json}, ${sqlString(jsonStructure(type))}) IS NULL`,
        });
      } else if (Array.isArray(type)) {
        checks.push({ field, sql: `json_type(${json}) NOT IN ('NULL', 'ARRAY')` });
      } else {
        checks.push({ field, sql: `json_type(${json}) NOT IN ('NULL', 'OBJECT')` });
        for (const [name, sub] of Object.entries(type as Record<string, ColumnType>)) {
          visit(`${field}.${name}`, `json_extract(${json}, ${sqlString(`$."${name}"`)})`, sub);
        }
      }
    };
    for (const [name, type] of Object.entries(columns)) visit(name, `"${name}"`, type);
    const counts = checks.map((c, i) => `count(*) FILTER (WHERE coalesce(${c.sql}, false)) AS c${i}`).join(", ");
    const reader = await this.connection.runAndReadAll(`SELECT ${counts} FROM json_${entity}`);
    const row = reader.getRows()[0] ?? [];
    checks.forEach((check, i) => {
      const count = Number(row[i] ?? 0);
      if (count > 0) this.mistyped.push({ entity, field: check.field, count });
    });
  }

  /**
   * Finds every line of `file` that fails to load on its own (bisecting: halves that load are cleared in one read,
   * so a file with a few bad lines costs about two reads), records each with `reason`, and writes the file without
   * them. DuckDB's line number is not used: it counts per read buffer. Returns the new file, or undefined when no
   * single line fails (the file as a whole is broken) or too many do.
   */
  private async setAsideLines(
    entity: RawEntity,
    file: string,
    fallbackReason: string,
    fails: (checkFile: string) => Promise<string | undefined>,
  ): Promise<string | undefined> {
    const lines = (await gunzipAsync(await readFile(file))).toString("utf8").split("\n");
    const dir = path.join(this.options.dir, "quarantine");
    await mkdir(dir, { recursive: true });
    const failsAlone = async (indexes: number[]): Promise<string | undefined> => {
      const check = path.join(dir, `check-${this.quarantineFiles++}.ndjson.gz`);
      await writeFile(check, await gzipAsync(`${indexes.map((i) => lines[i]).join("\n")}\n`));
      return fails(check);
    };
    const bad: { index: number; reason: string }[] = [];
    const search = async (indexes: number[]): Promise<void> => {
      if (indexes.length === 0 || bad.length > MAX_QUARANTINED_LINES) return;
      const failure = await failsAlone(indexes);
      if (failure === undefined) return;
      if (indexes.length === 1) {
        // DuckDB's own words for this line, without the file name and hints meant for SQL users.
        const reason = LINE_ERROR.exec(failure)?.[2] ?? failure.split("\n")[0] ?? fallbackReason;
        bad.push({ index: indexes[0] as number, reason });
        return;
      }
      const mid = Math.ceil(indexes.length / 2);
      await search(indexes.slice(0, mid));
      await search(indexes.slice(mid));
    };
    await search(lines.flatMap((text, i) => (text.trim() === "" ? [] : [i])));
    if (bad.length === 0 || bad.length > MAX_QUARANTINED_LINES) return undefined;
    const origin = this.rewritten.get(file) ?? { key: this.keyOf(file), lineNumbers: lines.map((_, i) => i + 1) };
    for (const { index, reason } of bad) {
      const text = lines[index] ?? "";
      this.quarantined.push({
        entity,
        file: origin.key,
        line: origin.lineNumbers[index] ?? index + 1,
        reason,
        // A line set aside for its size keeps only its start: the reject must not be as large as what it rejects.
        text: text.length > MAX_QUARANTINED_TEXT ? `${text.slice(0, MAX_QUARANTINED_TEXT)}…` : text,
      });
    }
    const dropped = new Set(bad.map((b) => b.index));
    const keep = (_: unknown, i: number) => !dropped.has(i);
    const cleaned = path.join(dir, `${this.quarantineFiles++}-${path.basename(file)}`);
    await writeFile(cleaned, await gzipAsync(lines.filter(keep).join("\n")));
    this.rewritten.set(cleaned, { key: origin.key, lineNumbers: origin.lineNumbers.filter(keep) });
    return cleaned;
  }

  /**
   * Scans `file` (streaming, without holding it) for lines longer than {@link MAX_LINE_BYTES}; when there are any,
   * sets them aside with their reason and returns a copy of the file without them, else the file itself (also when
   * it cannot be read: the load says why).
   */
  private async setAsideLongLines(entity: RawEntity, file: string): Promise<string> {
    let current = 0;
    let found = false;
    try {
      for await (const chunk of createReadStream(file).pipe(createGunzip()) as AsyncIterable<Buffer>) {
        let from = 0;
        for (let nl = chunk.indexOf(10, from); ; nl = chunk.indexOf(10, from)) {
          current += (nl === -1 ? chunk.length : nl) - from;
          if (current > MAX_LINE_BYTES) found = true;
          if (nl === -1) break;
          current = 0;
          from = nl + 1;
        }
        if (found) break;
      }
    } catch {
      // Not gzip, or cut short: the load names the file and says why (see loadRawTable).
      return file;
    }
    if (!found) return file;
    const cleaned = await this.setAsideLines(entity, file, "", async (check) => {
      const longest = longestLine(await gunzipAsync(await readFile(check)));
      return longest > MAX_LINE_BYTES ? `line longer than ${MAX_LINE_BYTES} bytes (${longest})` : undefined;
    });
    return cleaned ?? file;
  }

  /** The raw key a local path stands for (the path itself when it is not known). */
  private keyOf(file: string): string {
    return this.rewritten.get(file)?.key ?? this.keys.get(file) ?? file;
  }

  /** Why `sql` cannot be loaded, or undefined when it loads. */
  private async lineFails(sql: string): Promise<string | undefined> {
    try {
      // Materialized: a count(*) alone would let DuckDB skip converting the columns, and so miss the error.
      await this.connection.run(`CREATE OR REPLACE TEMP TABLE quarantine_check AS ${sql}`);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  private async setting(name: string): Promise<string> {
    const reader = await this.connection.runAndReadAll(`SELECT current_setting(${sqlString(name)})::VARCHAR`);
    return String(reader.getRows()[0]?.[0] ?? "");
  }

  /** Ends the session: its temp tables go with its connection, and its DuckDB instance is kept for the next one. */
  close(): void {
    this.connection.closeSync();
    if (idleInstances.length < MAX_IDLE_INSTANCES) idleInstances.push(this.instance);
    else {
      applied.delete(this.instance);
      this.instance.closeSync();
    }
  }
}

type InstanceSettings = Record<string, string | undefined>;

/**
 * DuckDB instances of closed sessions, kept for the next session of this process. Creating an instance and closing
 * it again (which frees all its memory) cost about 40 ms of CPU more than a new connection on a kept one; a day has
 * six transforms, and a warm Lambda container keeps its instance between invocations. A session applies the
 * instance-wide settings it relies on that differ from the ones the instance has (`applied`: setting the memory limit
 * again frees the memory DuckDB keeps for reuse, the cost this saves); an instance that refuses one (DuckDB keeps a
 * temp directory it has spilled to) or no longer answers is closed instead. Every session has a new temp directory,
 * so a kept instance always answers a statement before the session uses it.
 */
const idleInstances: DuckDBInstance[] = [];
const applied = new WeakMap<DuckDBInstance, InstanceSettings>();
/** Idle instances kept at most: a local run transforms a day's six entities at once. */
const MAX_IDLE_INSTANCES = 6;

/** A connection on a kept instance with `settings` applied (undefined: DuckDB's default), or on a new instance. */
async function takeInstance(
  settings: InstanceSettings,
): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  for (let instance = idleInstances.pop(); instance; instance = idleInstances.pop()) {
    const connection = await instance.connect().catch(() => undefined);
    if (connection && (await applySettings(instance, connection, settings))) return { instance, connection };
    // Not reusable for this session: closed, and the next kept one (or a new one) is tried.
    connection?.closeSync();
    applied.delete(instance);
    instance.closeSync();
  }
  const config = Object.fromEntries(
    Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const instance = await DuckDBInstance.create(":memory:", config);
  applied.set(instance, { ...settings });
  return { instance, connection: await instance.connect() };
}

/** Sets on a kept instance the settings that differ from `applied`; false when it refuses one. */
async function applySettings(
  instance: DuckDBInstance,
  connection: DuckDBConnection,
  settings: InstanceSettings,
): Promise<boolean> {
  const current = applied.get(instance) ?? {};
  try {
    for (const [name, value] of Object.entries(settings)) {
      if (name in current && current[name] === value) continue;
      await connection.run(value === undefined ? `RESET ${name}` : `SET ${name} = ${sqlString(value)}`);
      current[name] = value;
    }
    return true;
  } catch {
    return false;
  } finally {
    applied.set(instance, current);
  }
}
