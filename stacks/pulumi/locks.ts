/**
 * One update per stack, and at most `limit` updates at once in this process. Waiting honours the
 * operation's signal, so a timed-out operation never runs late.
 */
export class StackLocks {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  readonly #tails = new Map<string, Promise<void>>();

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Runs `work` once the stack is free and a slot is available. */
  async run<T>(stack: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(stack) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(stack, tail);
    try {
      await untilAborted(previous, signal);
      await this.#acquireSlot(signal);
      try {
        return await work();
      } finally {
        this.#releaseSlot();
      }
    } finally {
      release();
      if (this.#tails.get(stack) === tail) this.#tails.delete(stack);
    }
  }

  /** Whether an operation on the stack is running or queued in this process. */
  busy(stack: string): boolean {
    return this.#tails.has(stack);
  }

  async #acquireSlot(signal: AbortSignal): Promise<void> {
    if (this.#running < this.#limit) {
      this.#running++;
      return;
    }
    let granted!: () => void;
    const slot = new Promise<void>((resolve) => {
      granted = resolve;
    });
    this.#waiting.push(granted);
    try {
      await untilAborted(slot, signal);
    } catch (error) {
      const index = this.#waiting.indexOf(granted);
      if (index >= 0) this.#waiting.splice(index, 1);
      else this.#releaseSlot(); // granted just as we gave up: pass it on
      throw error;
    }
  }

  #releaseSlot() {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }
}

/** `promise`, or the signal's reason if it aborts first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return untilAborted(new Promise((resolve) => setTimeout(resolve, ms).unref?.()), signal);
}
