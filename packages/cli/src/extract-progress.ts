/**
 * Progress of a long Extract: Spotify requests done and planned, rate, ETA and the 429s waited out, from the Spotify
 * client's diagnostics channel. A cli-progress bar on a terminal; on a pipe or a file, a plain line now and then.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Config } from "@tunelake/core/config/schema";
import { planExtract } from "@tunelake/core/extract/plan";
import { SPOTIFY_REQUEST_CHANNEL, type SpotifyRequestMessage } from "@tunelake/core/spotify/client";
import { SingleBar } from "cli-progress";
import { stderr } from "./context.ts";

/**
 * A first estimate of the requests a config needs (one per artist and its album list, album and track batches, a
 * playlist and its first page of items, a search). Paging adds more: the total grows as they show up.
 */
export function plannedRequests(config: Config): number {
  const plan = planExtract(config);
  return Math.max(
    1,
    plan.artists.length * 2 +
      Math.ceil(plan.albums.length / 20) +
      Math.ceil(plan.tracks.length / 50) +
      plan.playlists.length * 2 +
      plan.searches.length,
  );
}

export interface ExtractProgress {
  stop(): void;
}

/** Plain lines: one every this many requests when the output is not a terminal. */
const PLAIN_EVERY = 100;

/** Starts following the Spotify requests of this process until `stop()`. */
export function startExtractProgress(options: {
  planned: number;
  tty: boolean;
  write: (line: string) => void;
  stream?: NodeJS.WritableStream;
}): ExtractProgress {
  let done = 0;
  let waited = 0;
  let total = options.planned;
  const started = Date.now();
  const bar = options.tty
    ? new SingleBar({
        stream: options.stream ?? (stderr() as NodeJS.WritableStream),
        format: "  Extract {bar} {value}/{total} requests | {rate}/s | ETA {eta_formatted} | {waited} 429s waited out",
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      })
    : undefined;
  bar?.start(total, 0, { rate: "0.0", waited: 0 });
  const onMessage = (raw: unknown) => {
    const message = raw as SpotifyRequestMessage;
    done++;
    if (message.status === 429) waited++;
    if (done >= total) total = done + 1;
    const rate = (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1);
    if (bar) {
      bar.setTotal(total);
      bar.update(done, { rate, waited });
    } else if (done % PLAIN_EVERY === 0) {
      options.write(`  Extract: ${done} requests (${rate}/s, ${waited} 429s waited out)\n`);
    }
  };
  subscribe(SPOTIFY_REQUEST_CHANNEL, onMessage);
  return {
    stop() {
      unsubscribe(SPOTIFY_REQUEST_CHANNEL, onMessage);
      bar?.stop();
    },
  };
}
