/**
 * A minimal push-to-pull async queue: producers `push`, one consumer iterates. Bounded: when the
 * consumer falls more than `limit` items behind, the channel fails with SlowConsumerError instead
 * of growing without bound.
 *
 * A class rather than closures: a gateway holds one channel per subscriber, tens of thousands of
 * them, and what they share lives once on the prototype.
 */
export class SlowConsumerError extends Error {
  constructor() {
    super('Subscriber could not keep up with the event rate.');
  }
}

export interface Channel<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
  end(): void;
  fail(error: Error): void;
  return(): Promise<IteratorResult<T>>;
  /** Runs `listener` once the channel closes (ended, failed or returned); at once if it has. */
  onClose(listener: () => void): void;
  /** Runs `listener` for every item the consumer takes (one listener; a later one replaces it). */
  onTake(listener: () => void): void;
  /**
   * Hands every item to `sink.take` as it is pushed (any queued ones first) instead of queueing
   * it for `next`, which from then on only reports the end (done, or the failure). For a
   * consumer that takes items at once, like a socket write: no promise and no job per item,
   * which is what a gateway fanning one event out to tens of thousands of sockets pays for.
   * Nothing queues from then on, so the bound no longer applies: the sink judges whether its
   * consumer keeps up (a socket's unsent bytes, say).
   */
  drainTo(sink: ChannelSink<T>): void;
}

export interface ChannelSink<T> {
  take(value: T): void;
  /**
   * The channel closed — ended or returned (null), or failed (the reason) — after the close
   * listeners ran: what `next` would have settled with, without a promise held open meanwhile.
   */
  closed?(failure: Error | null): void;
}

class BoundedChannel<T> implements Channel<T> {
  private readonly buffer: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private rejectWaiting: ((error: Error) => void) | null = null;
  private failure: Error | null = null;
  private done = false;
  private closeListeners: (() => void)[] = [];
  private taken: (() => void) | null = null;
  private sink: ChannelSink<T> | null = null;

  constructor(
    private readonly limit: number,
    private readonly onOverflow: (() => void) | undefined,
  ) {}

  push(value: T): void {
    if (this.done) return;
    if (this.buffer.length >= this.limit) {
      if (!this.onOverflow) return this.fail(new SlowConsumerError());
      this.onOverflow();
      return this.end(); // nothing more is queued for this subscriber
    }
    if (this.sink) {
      this.taken?.();
      this.sink.take(value);
      return;
    }
    this.buffer.push(value);
    this.settle();
  }

  end(): void {
    this.close();
    this.settle();
  }

  fail(error: Error): void {
    if (this.done) return;
    this.failure = error;
    this.buffer.length = 0;
    this.close();
    this.settle();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve(this.dequeue());
    if (this.failure) return Promise.reject(this.failure);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.rejectWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.close();
    this.settle();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.fail(error instanceof Error ? error : new Error(String(error)));
    return Promise.reject(this.failure);
  }

  onClose(listener: () => void): void {
    if (this.done) listener();
    else this.closeListeners.push(listener);
  }

  onTake(listener: () => void): void {
    this.taken = listener;
  }

  drainTo(sink: ChannelSink<T>): void {
    const closedBefore = this.done; // else close() tells the sink, if it comes
    this.sink = sink;
    while (this.buffer.length > 0) sink.take(this.dequeue().value as T);
    if (closedBefore) sink.closed?.(this.failure);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private dequeue(): IteratorResult<T> {
    this.taken?.();
    return { value: this.buffer.shift() as T, done: false };
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const listener of listeners) listener();
    this.sink?.closed?.(this.failure);
  }

  private settle(): void {
    const resolve = this.waiting;
    if (!resolve) return;
    if (this.buffer.length > 0) {
      this.waiting = this.rejectWaiting = null;
      resolve(this.dequeue());
    } else if (this.failure) {
      const reject = this.rejectWaiting!;
      this.waiting = this.rejectWaiting = null;
      reject(this.failure);
    } else if (this.done) {
      this.waiting = this.rejectWaiting = null;
      resolve({ value: undefined, done: true });
    }
  }
}

export function createChannel<T>(
  limit: number,
  onClose?: () => void,
  /** Called instead of failing with SlowConsumerError when the consumer falls behind. */
  onOverflow?: () => void,
): Channel<T> {
  const channel = new BoundedChannel<T>(limit, onOverflow);
  if (onClose) channel.onClose(onClose);
  return channel;
}
