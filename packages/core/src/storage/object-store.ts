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

/** A conditional write: create only if absent (`If-None-Match: *`), or replace only the version read (`If-Match`). */
export type PutCondition = { ifNoneMatch: "*" } | { ifMatch: string };

/** An object with its entity tag (S3's ETag: the version a conditional write names). */
export interface TaggedObject {
  body: Buffer;
  etag: string;
}

/**
 * A store that writes conditionally, so one writer per key can be fenced: on S3 with its conditional writes (412
 * Precondition Failed when the condition does not hold), on the filesystem with the same semantics under a lock.
 */
export interface ConditionalObjectStore extends ObjectStore {
  /** The object and its ETag, or `undefined` when it does not exist. */
  getTagged(key: string): Promise<TaggedObject | undefined>;
  /** Writes `body` only if `condition` holds and returns the new ETag; else throws PreconditionFailedError. */
  putIf(key: string, body: Buffer | string, condition: PutCondition, contentType?: string): Promise<string>;
}

/** Deletes every key under `prefix`; returns how many were deleted. */
export async function deletePrefix(store: ObjectStore, prefix: string): Promise<number> {
  const keys = await store.list(prefix);
  if (keys.length > 0) await store.delete(keys);
  return keys.length;
}
