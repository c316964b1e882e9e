import { createChannel, SlowConsumerError, type ChannelSink } from '../platform/channel';

/** A sink that keeps what it is handed. */
const collector = <T>(): ChannelSink<T> & { taken: T[] } => {
  const taken: T[] = [];
  return { taken, take: (value) => taken.push(value) };
};

test('a sink is handed the queued items first, then every push at once, in order', async () => {
  const channel = createChannel<number>(10);
  let counted = 0;
  channel.onTake(() => (counted += 1));
  channel.push(1);
  channel.push(2);
  const sink = collector<number>();
  channel.drainTo(sink);
  expect(sink.taken).toEqual([1, 2]);
  channel.push(3);
  expect(sink.taken).toEqual([1, 2, 3]); // synchronously: no promise, no job
  expect(counted).toBe(3);

  const end = channel.next();
  channel.push(4);
  channel.end();
  channel.push(5); // after the end: dropped
  await expect(end).resolves.toEqual({ value: undefined, done: true });
  expect(sink.taken).toEqual([1, 2, 3, 4]);
});

test('with a sink, next() reports a failure, and the bound no longer applies', async () => {
  const channel = createChannel<number>(1);
  const sink = collector<number>();
  channel.drainTo(sink);
  for (let i = 0; i < 5; i++) channel.push(i); // a sink takes each at once: nothing queues
  expect(sink.taken).toEqual([0, 1, 2, 3, 4]);
  const end = channel.next();
  channel.fail(new SlowConsumerError());
  await expect(end).rejects.toBeInstanceOf(SlowConsumerError);
});

test('a sink that returns the channel stops the queued items it has not taken', async () => {
  const channel = createChannel<number>(10);
  let closed = false;
  channel.onClose(() => (closed = true));
  for (let i = 0; i < 4; i++) channel.push(i);
  const taken: number[] = [];
  channel.drainTo({
    take(value) {
      taken.push(value);
      if (value === 1) void channel.return(); // e.g. its socket has closed
    },
  });
  expect(taken).toEqual([0, 1]);
  expect(closed).toBe(true);
  await expect(channel.next()).resolves.toEqual({ value: undefined, done: true });
});

test('a sink is told once how its channel closed: ended, returned or failed, or before it came', () => {
  const closings = (run: (channel: ReturnType<typeof createChannel<number>>) => void) => {
    const channel = createChannel<number>(10);
    const seen: (string | null)[] = [];
    const sink = {
      take: () => undefined,
      closed: (failure: Error | null) => seen.push(failure?.message ?? null),
    };
    run(channel);
    channel.drainTo(sink);
    channel.end();
    channel.fail(new Error('late'));
    void channel.return();
    return seen;
  };
  expect(closings(() => undefined)).toEqual([null]);
  expect(closings((channel) => channel.fail(new Error('upstream gone')))).toEqual([
    'upstream gone',
  ]);
  expect(closings((channel) => void channel.return())).toEqual([null]);
  expect(closings((channel) => (channel.push(1), channel.end()))).toEqual([null]);

  const channel = createChannel<number>(10);
  const seen: (string | null)[] = [];
  channel.drainTo({
    take: () => undefined,
    closed: (failure) => seen.push(failure?.message ?? null),
  });
  channel.fail(new SlowConsumerError());
  channel.end();
  expect(seen).toEqual([new SlowConsumerError().message]);
});
