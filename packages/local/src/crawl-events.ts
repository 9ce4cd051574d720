/**
 * The local stand-ins for the curated bucket's S3 event notifications and the SQS queue the crawler consumes
 * (docs/deploy.md, "Tables and crawler"): every Parquet file written under a catalog table's prefix sends one
 * object-created event, filtered as the stack's notifications are ({@link CRAWL_EVENT_FILTERS}), to a queue under
 * `<home>/catalog/crawl-events/`. One file per message, written atomically, so writers (transforms of several runs)
 * never race the crawler that receives and deletes them.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { crawlEventFolder } from "@tunelake/core/catalog/crawler-settings";
import { FsObjectStore } from "@tunelake/core/storage/fs-store";
import { writeJsonAtomic } from "./json-file.ts";
import { localPaths } from "./paths.ts";

/** The body of one event message, as much of S3's notification as the crawler reads. */
export interface CrawlEvent {
  eventName: "ObjectCreated:Put";
  key: string;
  eventTime: string;
}

/** A received message: its body and the handle that deletes it. */
export interface ReceivedCrawlEvent {
  handle: string;
  event: CrawlEvent;
}

const queueDir = (home: string) => join(localPaths(home).catalog, "crawl-events");

/** Sends the object-created event of `key` when the crawler's notifications cover it; true when one was sent. */
export async function notifyObjectCreated(home: string, key: string): Promise<boolean> {
  if (!crawlEventFolder(key)) return false;
  const dir = queueDir(home);
  await mkdir(dir, { recursive: true });
  const eventTime = new Date().toISOString();
  // Names sort by send time: the crawler receives the oldest first.
  const name = `${eventTime.replace(/[:.]/g, "-")}-${randomUUID()}.json`;
  const event: CrawlEvent = { eventName: "ObjectCreated:Put", key, eventTime };
  await writeJsonAtomic(join(dir, name), event);
  return true;
}

/** Receives up to `max` messages (oldest first), without deleting them. */
export async function receiveCrawlEvents(home: string, max: number): Promise<ReceivedCrawlEvent[]> {
  const names = (await readdir(queueDir(home)).catch(() => [] as string[]))
    .filter((n) => n.endsWith(".json"))
    .sort()
    .slice(0, max);
  const received: ReceivedCrawlEvent[] = [];
  for (const name of names) {
    const text = await readFile(join(queueDir(home), name), "utf8").catch(() => undefined);
    if (text !== undefined) received.push({ handle: name, event: JSON.parse(text) as CrawlEvent });
  }
  return received;
}

/** Deletes received messages by handle. */
export async function deleteCrawlEvents(home: string, handles: readonly string[]): Promise<void> {
  for (const handle of handles) await rm(join(queueDir(home), handle), { force: true });
}

/** Deletes every queued message (SQS PurgeQueue): a crawl in listing mode sees all files anyway. */
export async function purgeCrawlEvents(home: string): Promise<number> {
  const names = (await readdir(queueDir(home)).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
  await deleteCrawlEvents(home, names);
  return names.length;
}

/** How many messages are queued. */
export async function queuedCrawlEvents(home: string): Promise<number> {
  return (await readdir(queueDir(home)).catch(() => [] as string[])).filter((n) => n.endsWith(".json")).length;
}

/**
 * The curated bucket's stand-in with its event notifications: a write (put, conditional put, upload) that succeeds
 * sends the object-created event of its key, as S3 does after the object is stored.
 */
export class NotifyingFsObjectStore extends FsObjectStore {
  constructor(
    root: string,
    private readonly home: string,
  ) {
    super(root);
  }

  override async put(key: string, body: Buffer | string): Promise<void> {
    await super.put(key, body);
    await notifyObjectCreated(this.home, key);
  }

  override async upload(file: string, key: string): Promise<void> {
    await super.upload(file, key);
    await notifyObjectCreated(this.home, key);
  }
}
