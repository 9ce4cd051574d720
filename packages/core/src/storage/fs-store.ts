import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { StorageError } from "../errors.ts";
import type { ObjectStore } from "./object-store.ts";

/** An ObjectStore on a local directory: the laptop's stand-in for an S3 bucket. Writes are atomic (temp + rename). */
export class FsObjectStore implements ObjectStore {
  readonly location: string;

  constructor(readonly root: string) {
    this.location = path.resolve(root);
  }

  localPath(key: string): string {
    const full = path.resolve(this.location, key);
    if (full !== this.location && !full.startsWith(this.location + path.sep)) {
      throw new StorageError(`Key "${key}" leaves the store root ${this.location}; keys must be relative.`);
    }
    return full;
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.localPath(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new StorageError(`Could not read ${key} in ${this.location}`, { cause: error });
    }
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    const file = this.localPath(key);
    const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(tmp, body);
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw new StorageError(`Could not write ${key} in ${this.location}`, { cause: error });
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    // Walk from the deepest directory the prefix names, then filter by the full prefix.
    const dirPart = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const start = this.localPath(dirPart);
    const walk = async (dir: string): Promise<void> => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
        throw new StorageError(`Could not list ${prefix} in ${this.location}`, { cause: error });
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (!entry.name.includes(".tmp-")) {
          const key = path.relative(this.location, full).split(path.sep).join("/");
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(start);
    return keys.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => rm(this.localPath(key), { force: true })));
  }

  async download(key: string, file: string): Promise<void> {
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await copyFile(this.localPath(key), file);
    } catch (error) {
      throw new StorageError(`Could not download ${key} from ${this.location}`, { cause: error });
    }
  }

  async upload(file: string, key: string): Promise<void> {
    const target = this.localPath(key);
    const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await pipeline(createReadStream(file), createWriteStream(tmp));
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      throw new StorageError(`Could not upload ${file} to ${key} in ${this.location}`, { cause: error });
    }
  }
}
