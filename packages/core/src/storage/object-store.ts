/**
 * The ObjectStore port: what the pipeline needs of S3. Keys are `/`-separated, without a leading slash.
 * Adapters: the filesystem (local default) and S3.
 */
export interface ObjectStore {
  /** A human-readable location, e.g. `s3://bucket` or `/home/me/.tunelake/lake/raw`. */
  readonly location: string;
  /** The object's bytes, or `undefined` when it does not exist. */
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, body: Buffer | string, contentType?: string): Promise<void>;
  /** Keys under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Deletes the keys; missing keys are ignored. */
  delete(keys: readonly string[]): Promise<void>;
  /** Streams the object to a local file (used by the transform to feed DuckDB). */
  download(key: string, file: string): Promise<void>;
  /** Uploads a local file. */
  upload(file: string, key: string, contentType?: string): Promise<void>;
  /** A local path that reads the object directly without a copy, when the store is the local filesystem. */
  localPath?(key: string): string;
}

/** Deletes every key under `prefix`; returns how many were deleted. */
export async function deletePrefix(store: ObjectStore, prefix: string): Promise<number> {
  const keys = await store.list(prefix);
  if (keys.length > 0) await store.delete(keys);
  return keys.length;
}
