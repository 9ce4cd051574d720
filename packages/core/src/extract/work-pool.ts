/**
 * Runs the extract's work units a few at a time: the unit is what a checkpoint records as done, and what a slice
 * stops between. New units stop starting once `canStart` says no (the slice's deadline, a Retry-After to wait in the
 * state machine, a failure); the pool is drained when nothing runs and nothing more can start.
 */
export interface WorkUnit {
  /** For logs. */
  key: string;
  run: () => Promise<void>;
}

export class WorkPool {
  private readonly queue: WorkUnit[] = [];
  private running = 0;
  private resolveIdle: (() => void) | undefined;

  constructor(
    private readonly concurrency: number,
    private readonly canStart: () => boolean,
    /** Called when the queue is empty and nothing runs; may push more units (the last partial album batch). */
    private readonly onIdle: () => void,
    /** A unit failed; the pool goes on with the others unless `canStart` then says no. */
    private readonly onError: (unit: WorkUnit, error: unknown) => void,
  ) {}

  /** Queues a unit; `first` puts it before every unit not started yet (work deferred by an earlier day). */
  push(unit: WorkUnit, first = false): void {
    if (first) this.queue.unshift(unit);
    else this.queue.push(unit);
    this.pump();
  }

  /** Units not started. */
  get queued(): number {
    return this.queue.length;
  }

  /** Resolves when nothing runs and nothing more starts. */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      this.resolveIdle = resolve;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0 && this.canStart()) {
      const unit = this.queue.shift() as WorkUnit;
      this.running++;
      void unit
        .run()
        .catch((error: unknown) => this.onError(unit, error))
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
    if (this.running === 0 && this.resolveIdle) {
      if (this.queue.length === 0 && this.canStart()) {
        this.onIdle();
        // Pushing started the new units already.
        if (this.running > 0 || this.queue.length > 0) return;
      }
      const resolve = this.resolveIdle;
      this.resolveIdle = undefined;
      resolve();
    }
  }
}
