/**
 * The seam between replay and live items in resumable streams: nothing published during the
 * replay is lost, nothing is sent twice, items announced out of order are delivered in order,
 * and the position is recorded for the gateway.
 */
import { createStreamState, resumableStream } from '../subgraphs/kit/resumable';

interface Item {
  seq: number;
}

/** A stored stream of `stored` items plus a live feed the test drives. */
function fixture(stored: number) {
  const rows: Item[] = Array.from({ length: stored }, (_, i) => ({ seq: i + 1 }));
  let push: ((item: Item) => void) | null = null;
  let stopped = false;
  const publish = (item: Item) => {
    rows.push(item);
    push?.(item);
  };
  return {
    rows,
    publish,
    /** Announces without storing (the item was stored earlier). */
    announce: (item: Item) => push?.(item),
    get stopped() {
      return stopped;
    },
    options: {
      decode: (cursor: string) => Number(cursor),
      encode: (position: number) => String(position),
      cursor: (item: Item) => String(item.seq),
      position: (item: Item) => item.seq,
      head: async () => rows.length,
      replay: async (after: number, limit: number) =>
        rows.filter((row) => row.seq > after).slice(0, limit),
      listen: async (onItem: (item: Item) => void) => {
        push = onItem;
        return async () => {
          stopped = true;
          push = null;
        };
      },
      replayPageSize: 7,
    },
  };
}

async function take(iterator: AsyncGenerator<Item>, count: number): Promise<number[]> {
  const seen: number[] = [];
  while (seen.length < count) {
    const { value, done } = await iterator.next();
    if (done) break;
    seen.push(value.seq);
  }
  return seen;
}

it('replays after the cursor, then continues live with no gap and no duplicate at the seam', async () => {
  const f = fixture(20);
  const stream = createStreamState();
  let replays = 0;
  const iterator = resumableStream<Item>({
    ...f.options,
    stream,
    after: '5',
    // While the replay reads its pages, new items keep being published live.
    replay: async (after, limit) => {
      replays += 1;
      if (replays <= 3) f.publish({ seq: f.rows.length + 1 });
      return f.rows.filter((row) => row.seq > after).slice(0, limit);
    },
  });
  const first = await take(iterator, 18);
  expect(first).toEqual(Array.from({ length: 18 }, (_, i) => i + 6));
  f.publish({ seq: 24 });
  expect(await take(iterator, 1)).toEqual([24]);
  expect(stream.position()).toBe('24');
  await iterator.return(undefined);
  expect(f.stopped).toBe(true);
});

it("prefers the gateway's resume position over the client's cursor", async () => {
  const f = fixture(10);
  const iterator = resumableStream<Item>({
    ...f.options,
    stream: createStreamState('8'),
    after: '2',
    replay: async (after, limit) => f.rows.filter((row) => row.seq > after).slice(0, limit),
  });
  expect(await take(iterator, 2)).toEqual([9, 10]);
  await iterator.return(undefined);
});

it('with no cursor, sends live items only', async () => {
  const f = fixture(3);
  const replay = jest.fn(async () => f.rows);
  const iterator = resumableStream<Item>({
    ...f.options,
    stream: createStreamState(),
    after: null,
    replay,
  });
  const next = iterator.next();
  await new Promise((r) => setTimeout(r, 10));
  f.publish({ seq: 4 });
  expect((await next).value).toEqual({ seq: 4 });
  expect(replay).not.toHaveBeenCalled();
  await iterator.return(undefined);
});

/** A stream after `after` whose subscriber stays authorized while `member` is true. */
function authorizedStream(f: ReturnType<typeof fixture>, after: string, replayPageSize: number) {
  const access = { member: true, checked: [] as number[] };
  const iterator = resumableStream<Item>({
    ...f.options,
    stream: createStreamState(),
    after,
    replayPageSize,
    authorize: async (item) => {
      access.checked.push(item.seq);
      if (!access.member) throw new Error('removed from the channel');
    },
  });
  return { iterator, access };
}

it('authorizes a replay once per page, and ends it at the first page no longer authorized', async () => {
  const f = fixture(5);
  const { iterator, access } = authorizedStream(f, '0', 2);
  expect(await take(iterator, 2)).toEqual([1, 2]);
  expect(access.checked).toEqual([1]);
  access.member = false;
  await expect(iterator.next()).rejects.toThrow('removed from the channel');
  expect(access.checked).toEqual([1, 3]);
  expect(f.stopped).toBe(true);
});

it('authorizes every live item, and ends the stream at the first one no longer authorized', async () => {
  const f = fixture(1);
  const { iterator, access } = authorizedStream(f, '0', 7);
  expect(await take(iterator, 1)).toEqual([1]);
  const next = iterator.next();
  await new Promise((r) => setTimeout(r, 10));
  f.publish({ seq: 2 });
  expect((await next).value).toEqual({ seq: 2 });
  access.member = false;
  f.publish({ seq: 3 });
  await expect(iterator.next()).rejects.toThrow('removed from the channel');
  expect(access.checked).toEqual([1, 2, 3]);
  expect(f.stopped).toBe(true);
});

it('delivers items announced out of order in order, reading the overtaken ones from storage', async () => {
  const f = fixture(2);
  const iterator = resumableStream<Item>({
    ...f.options,
    stream: createStreamState(),
    after: null,
  });
  const first = iterator.next();
  await new Promise((r) => setTimeout(r, 10));
  // 3 and 4 are committed, but 4 is announced first (each announces after its own commit).
  f.rows.push({ seq: 3 });
  f.publish({ seq: 4 });
  f.announce({ seq: 3 });
  f.publish({ seq: 5 });
  expect((await first).value).toEqual({ seq: 3 });
  expect(await take(iterator, 2)).toEqual([4, 5]);
  await iterator.return(undefined);
});

it('stops listening at once when an idle stream is unsubscribed', async () => {
  const f = fixture(1);
  const iterator = resumableStream<Item>({
    ...f.options,
    stream: createStreamState(),
    after: null,
  });
  const pending = iterator.next();
  await new Promise((r) => setTimeout(r, 10));
  await iterator.return(undefined);
  expect(f.stopped).toBe(true);
  expect(await pending).toEqual({ value: undefined, done: true });
});

/** The next `count` items, failing (instead of hanging) if they do not come. */
const within = <T>(promise: Promise<T>, ms = 10_000) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the stream delivered nothing')), ms).unref(),
    ),
  ]);

it('delivers a stored item whose announcement never came, by checking the store while idle', async () => {
  const f = fixture(3);
  const iterator = resumableStream<Item>({
    ...f.options,
    stream: createStreamState(),
    after: null,
    pollIntervalMs: 20,
  });
  const first = iterator.next();
  await new Promise((r) => setTimeout(r, 10));
  // Stored, but its announcement failed (Redis down, or the publisher died after the commit).
  f.rows.push({ seq: 4 });
  expect((await within(first)).value).toEqual({ seq: 4 });
  f.publish({ seq: 5 });
  expect(await within(take(iterator, 1))).toEqual([5]);
  await iterator.return(undefined);
  expect(f.stopped).toBe(true);
});

it('keeps an idle stream open while the store is unreachable, and catches up once it is back', async () => {
  const f = fixture(3);
  let unreachable = true;
  const iterator = resumableStream<Item>({
    ...f.options,
    stream: createStreamState(),
    after: '3',
    pollIntervalMs: 20,
    // The database restarting: idle checks fail for a while.
    checkHead: async () => {
      if (unreachable) throw new Error('connect ECONNREFUSED');
      return f.rows.length;
    },
  });
  const first = iterator.next();
  await new Promise((r) => setTimeout(r, 10)); // replayed (nothing after 3): now idle
  f.rows.push({ seq: 4 }); // stored, its announcement lost
  await new Promise((r) => setTimeout(r, 100)); // several failed checks
  unreachable = false;
  expect((await within(first)).value).toEqual({ seq: 4 });
  await iterator.return(undefined);
  expect(f.stopped).toBe(true);
});

it('checks the store at once when the pub/sub connection recovers', async () => {
  const f = fixture(3);
  let recovered: (() => void) | null = null;
  const iterator = resumableStream<Item>({
    ...f.options,
    stream: createStreamState(),
    after: '3',
    // Never idle long enough: only the recovery signal can bring item 4.
    pollIntervalMs: 3_600_000,
    wake: (signal) => {
      recovered = signal;
      return () => {
        recovered = null;
      };
    },
  });
  const first = iterator.next();
  await new Promise((r) => setTimeout(r, 10));
  f.rows.push({ seq: 4 }); // published while the pub/sub connection was down: lost
  recovered!();
  expect((await within(first)).value).toEqual({ seq: 4 });
  await iterator.return(undefined);
  expect(recovered).toBeNull();
});

it('an idle check passes over positions the stream does not see and delivers only its own', async () => {
  const f = fixture(0);
  const mine = (item: Item) => item.seq % 2 === 0;
  const iterator = resumableStream<Item>({
    ...f.options,
    stream: createStreamState(),
    after: '0',
    pollIntervalMs: 20,
    // A filtered stream (e.g. one node's deployments within its organization's stream).
    replay: async (after, limit) =>
      f.rows.filter((row) => row.seq > after && mine(row)).slice(0, limit),
    listen: async (onItem) => {
      void onItem; // announcements all lost
      return async () => undefined;
    },
  });
  for (let seq = 1; seq <= 6; seq++) f.rows.push({ seq });
  expect(await within(take(iterator, 3))).toEqual([2, 4, 6]);
  f.rows.push({ seq: 7 }, { seq: 8 });
  expect(await within(take(iterator, 1))).toEqual([8]);
  await iterator.return(undefined);
});
