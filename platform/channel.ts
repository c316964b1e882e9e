/**
 * A minimal push-to-pull async queue: producers `push`, one consumer iterates. Bounded: when the
 * consumer falls more than `limit` items behind, the channel fails with SlowConsumerError instead
 * of growing without bound.
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
}

export function createChannel<T>(
  limit: number,
  onClose: () => void = () => undefined,
  /** Called instead of failing with SlowConsumerError when the consumer falls behind. */
  onOverflow?: () => void,
): Channel<T> {
  const buffer: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | null = null;
  let rejectWaiting: ((error: Error) => void) | null = null;
  let failure: Error | null = null;
  let done = false;

  const close = () => {
    if (done) return;
    done = true;
    onClose();
  };
  const settle = () => {
    if (!waiting) return;
    if (buffer.length > 0) {
      const resolve = waiting;
      waiting = rejectWaiting = null;
      resolve({ value: buffer.shift() as T, done: false });
    } else if (failure) {
      const reject = rejectWaiting!;
      waiting = rejectWaiting = null;
      reject(failure);
    } else if (done) {
      const resolve = waiting;
      waiting = rejectWaiting = null;
      resolve({ value: undefined, done: true });
    }
  };

  const channel: Channel<T> = {
    push(value) {
      if (done) return;
      if (buffer.length >= limit) {
        if (!onOverflow) return channel.fail(new SlowConsumerError());
        onOverflow();
        return channel.end(); // nothing more is queued for this subscriber
      }
      buffer.push(value);
      settle();
    },
    end() {
      close();
      settle();
    },
    fail(error) {
      if (done) return;
      failure = error;
      buffer.length = 0;
      close();
      settle();
    },
    next() {
      if (buffer.length > 0) return Promise.resolve({ value: buffer.shift() as T, done: false });
      if (failure) return Promise.reject(failure);
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting = resolve;
        rejectWaiting = reject;
      });
    },
    return() {
      buffer.length = 0;
      close();
      settle();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error) {
      channel.fail(error instanceof Error ? error : new Error(String(error)));
      return Promise.reject(failure);
    },
    [Symbol.asyncIterator]() {
      return channel;
    },
  };
  return channel;
}
