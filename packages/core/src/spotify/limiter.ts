/**
 * A counting semaphore: at most `limit` tasks hold a slot at once. The client takes a slot per HTTP attempt and gives
 * it back while it sleeps before a retry, so waiting on Retry-After never blocks other work more than Spotify asks.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /** Runs `task` when a slot is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    // A released slot is handed straight to the next waiter, so a newcomer can never overtake it.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
