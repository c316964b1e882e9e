/**
 * Gapless, duplicate-free streams for subscriptions that can resume from a cursor (chat
 * messages, deployment events), whose items carry dense positions (1, 2, 3… per stream,
 * assigned under a lock, so position order is commit order).
 *
 * A cursor past the head is refused (BAD_USER_INPUT): every position up to the head has been
 * issued, so it cannot be one of this stream's.
 *
 * The order matters: start listening live first (buffering), then replay what is stored after
 * the cursor — with no cursor, the head read just before listening is the starting point —
 * then continue with the live items. Live items at or before the last one sent are dropped. Each
 * item is published after its own commit, so with concurrent writers item n+1 can be announced
 * before item n: a live item that skips positions is preceded by the missed ones, read from
 * storage (where they are already committed). Nothing is lost and nothing is sent twice.
 *
 * An item can be stored and never announced (the publish failed: Redis down, or the process died
 * between commit and publish), and announcements are lost while the pub/sub connection is down.
 * So the stream also reads the store by itself: whenever no live item arrived for
 * `pollIntervalMs` (an idle stream, or a dead pub/sub), and at once when `wake` signals that the
 * pub/sub connection recovered. It first asks for the head position (one indexed row) and reads
 * items only when the head moved past the last one sent. A stored item is thus delivered within
 * about one interval even if its announcement never comes. A check that cannot reach the store
 * does not end the stream: the next one tries again.
 *
 * Each item's cursor is also recorded on the subscription's StreamState, which the subscription
 * server sends as `extensions.resumeCursor`: the gateway re-subscribes from it after losing its
 * connection to the subgraph (passing it back as `extensions.resumeAfter`).
 */
import { createChannel, type Channel } from '../../platform/channel';
import { badUserInput } from '../../platform/errors';

/** How long a stream waits without a live item before it checks the store. */
export const DEFAULT_POLL_INTERVAL_MS = 1500;

/** Per-subscription resume state, kept in the request info of WebSocket subscriptions. */
export interface StreamState {
  /** Set by the gateway when it re-subscribes after losing the upstream connection. */
  readonly resumeAfter: string | undefined;
  /** Records the cursor of the item just sent. */
  advance(cursor: string): void;
  /** The cursor of the last item sent, if any. */
  position(): string | undefined;
  /** Records where a stream without cursor starts (its head's cursor), once it listens. */
  start(cursor: string): void;
  /**
   * That cursor, when the subscriber asked to be told it (the gateway's `sendStartCursor`);
   * null when it did not. Never settles for a stream that was given a cursor.
   */
  readonly started: Promise<string> | null;
}

export function createStreamState(resumeAfter?: string, sendStartCursor = false): StreamState {
  let last: string | undefined;
  let announce: (cursor: string) => void = () => undefined;
  return {
    resumeAfter,
    advance: (cursor) => {
      last = cursor;
    },
    position: () => last,
    start: (cursor) => announce(cursor),
    started: sendStartCursor ? new Promise((resolve) => (announce = resolve)) : null,
  };
}

export interface ResumableStreamOptions<T> {
  stream: StreamState | undefined;
  /** The client's `after` argument; the gateway's resumeAfter takes precedence. */
  after: string | null | undefined;
  /** Decodes a cursor into the stream's position (throw BAD_USER_INPUT for a bad one). */
  decode: (cursor: string) => number;
  /** The cursor of a position: what resumes after it. */
  encode: (position: number) => string;
  /** Starts listening; resolves once live items will be seen, with a function that stops. */
  listen: (push: (item: T) => void) => Promise<() => Promise<void>>;
  /**
   * The position of the latest stored item (0 for none): where a stream without cursor starts,
   * and what an idle stream compares with its last position. Every position up to it must be
   * committed (positions assigned under a lock, in commit order).
   */
  head: () => Promise<number>;
  /**
   * Stored items with a position after `after`, ascending, at most `limit`. A stream that sees
   * only some of its positions (filters) returns only its items; positions in between are
   * simply not there.
   */
  replay: (after: number, limit: number) => Promise<T[]>;
  position: (item: T) => number;
  cursor: (item: T) => string;
  /**
   * Checked before items are sent; throw (e.g. FORBIDDEN) to end the stream. Once per live item,
   * and once per page of stored items (with its first item), right after the page is read.
   */
  authorize?: (item: T) => Promise<void>;
  /** Live items that may wait during the replay or a slow send before the stream fails. */
  bufferLimit?: number;
  replayPageSize?: number;
  /** Idle time after which the stream checks the store itself (DEFAULT_POLL_INTERVAL_MS). */
  pollIntervalMs?: number;
  /** The head for idle checks, e.g. shared between streams (TypedPubSub.sharedHead); `head`. */
  checkHead?: () => Promise<number>;
  /** Registers a callback for "the pub/sub connection recovered"; returns an unregister. */
  wake?: (signal: () => void) => () => void;
  /** For a caller who may lose access while the stream runs (e.g. by leaving a channel). */
  accessRecheck?: AccessRecheck;
}

export interface AccessRecheck {
  /** Registers a callback for "the caller may have lost access"; returns an unregister. */
  on: (signal: () => void) => () => void;
  /**
   * Run at once when signalled; throw (e.g. FORBIDDEN) to end the stream then, rather than at
   * its next item, which may never come.
   */
  check: () => Promise<void>;
}

/**
 * The cursor a stream sent an item with, for the `streamCursor` field of the types streams
 * deliver: the item is the object the resolvers see (an entity), so the cursor rides beside it.
 */
const streamCursors = new WeakMap<object, string>();

export function withStreamCursor<T extends object>(item: T, cursor: string): T {
  streamCursors.set(item, cursor);
  return item;
}

/** The cursor a stream delivered this object with, or null when it was read otherwise. */
export const streamCursorOf = (item: object): string | null => streamCursors.get(item) ?? null;

/** A pseudo-item on the live channel: check the store now. */
const CHECK = Symbol('check');
/** A pseudo-item on the live channel: check the caller's access now. */
const RECHECK_ACCESS = Symbol('recheck access');
type Signal = typeof CHECK | typeof RECHECK_ACCESS;

export function resumableStream<T>(options: ResumableStreamOptions<T>): AsyncGenerator<T> {
  const live = createChannel<T | Signal>(options.bufferLimit ?? 10_000);
  const stream = run(options, live);
  // A generator only notices return() at its next item; ending the live channel first settles
  // the pending wait, so unsubscribing from an idle stream stops listening at once.
  const finish = stream.return.bind(stream);
  stream.return = async (value) => {
    await live.return();
    return finish(value);
  };
  return stream;
}

async function* run<T>(
  options: ResumableStreamOptions<T>,
  live: Channel<T | Signal>,
): AsyncGenerator<T> {
  const from = options.stream?.resumeAfter ?? options.after ?? null;
  // Without a cursor the stream starts at the head read before listening: an item committed
  // between the two comes through the gap check or the idle check, and once the listener is
  // subscribed (what a caller can observe) the starting point is already fixed.
  const after = from === null ? null : options.decode(from);
  const head = await options.head();
  // A cursor past the head (another channel's or deployment's, or made up), followed, would
  // pass over every item up to it without a word.
  if (after !== null && after > head)
    throw badUserInput('`after` is past the end of this stream: not a cursor of it.', 'after');
  let last = after ?? head;
  const stop = await options.listen((item) => live.push(item));
  if (after === null) options.stream?.start(options.encode(head));
  const unwake = options.wake?.(() => live.push(CHECK)) ?? (() => undefined);
  const unrecheck = options.accessRecheck?.on(() => live.push(RECHECK_ACCESS)) ?? (() => undefined);
  const next = idleAware(live, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  try {
    /** `checked`: authorized with the page of stored items it came in. */
    const send = async (item: T, checked = false) => {
      if (!checked) await options.authorize?.(item);
      last = options.position(item);
      const cursor = options.cursor(item);
      options.stream?.advance(cursor);
      if (typeof item === 'object' && item !== null) withStreamCursor(item, cursor);
      return item;
    };
    /** Stored items after `last` and before `until` (exclusive), page by page. */
    async function* stored(until: number) {
      const pageSize = options.replayPageSize ?? 500;
      for (;;) {
        const page = (await options.replay(last, pageSize)).filter(
          (item) => options.position(item) < until,
        );
        // One check for the page, just after reading it and before sending any of it: a
        // check per item renewed the subscriber's request state once per replayed event.
        if (page.length > 0) await options.authorize?.(page[0]!);
        for (const item of page) yield await send(item, true);
        if (page.length < pageSize) return;
      }
    }
    if (from !== null) yield* stored(Infinity);
    for (;;) {
      const item = await next();
      if (item === DONE) return;
      if (item === RECHECK_ACCESS) {
        await options.accessRecheck!.check();
        continue;
      }
      if (item === CHECK) {
        // A check is a safety net: while the store is unreachable (a database restart) the
        // stream stays open, and the next check reads what this one could not.
        const head = await (options.checkHead ?? options.head)().catch(() => null);
        if (head === null) continue;
        // Everything up to the head is committed: what this stream does not see of it (other
        // streams' positions, filtered out) is passed over, so the next check starts there.
        if (head > last) {
          yield* stored(head + 1);
          last = Math.max(last, head);
        }
        continue;
      }
      const position = options.position(item);
      if (position <= last) continue;
      if (position > last + 1) yield* stored(position);
      yield await send(item);
    }
  } finally {
    unwake();
    unrecheck();
    await live.return();
    await stop();
  }
}

const DONE = Symbol('done');

/**
 * Reads the live channel, yielding CHECK when nothing came for `idleMs`, and DONE once the
 * channel ended. A read that lost to the timer is not abandoned: the next call awaits it again.
 */
function idleAware<T>(live: Channel<T | Signal>, idleMs: number) {
  let pending: Promise<IteratorResult<T | Signal>> | null = null;
  return async (): Promise<T | Signal | typeof DONE> => {
    pending ??= live.next();
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<typeof CHECK>((resolve) => {
      timer = setTimeout(() => resolve(CHECK), idleMs);
      timer.unref();
    });
    try {
      const winner = await Promise.race([pending, idle]);
      if (winner === CHECK) return CHECK;
      pending = null;
      return winner.done ? DONE : winner.value;
    } finally {
      clearTimeout(timer);
    }
  };
}
