/**
 * Gapless, duplicate-free streams for subscriptions that can resume from a cursor (chat
 * messages, deployment events), whose items carry dense positions (1, 2, 3… per stream,
 * assigned under a lock, so position order is commit order).
 *
 * The order matters: start listening live first (buffering), then replay what is stored after
 * the cursor — or, with no cursor, take the stream's current head as the starting point — then
 * continue with the live items. Live items at or before the last one sent are dropped. Each
 * item is published after its own commit, so with concurrent writers item n+1 can be announced
 * before item n: a live item that skips positions is preceded by the missed ones, read from
 * storage (where they are already committed). Nothing is lost and nothing is sent twice.
 *
 * Each item's cursor is also recorded on the subscription's StreamState, which the subscription
 * server sends as `extensions.resumeCursor`: the gateway re-subscribes from it after losing its
 * connection to the subgraph (passing it back as `extensions.resumeAfter`).
 */
import { createChannel, type Channel } from './channel';

/** Per-subscription resume state, kept in the request info of WebSocket subscriptions. */
export interface StreamState {
  /** Set by the gateway when it re-subscribes after losing the upstream connection. */
  resumeAfter?: string | undefined;
  /** The cursor of the last item sent. */
  lastCursor?: string | undefined;
}

export interface ResumableStreamOptions<T> {
  stream: StreamState | undefined;
  /** The client's `after` argument; the gateway's resumeAfter takes precedence. */
  after: string | null | undefined;
  /** Decodes a cursor into the stream's position (throw BAD_USER_INPUT for a bad one). */
  decode: (cursor: string) => number;
  /** Starts listening; resolves once live items will be seen, with a function that stops. */
  listen: (push: (item: T) => void) => Promise<() => Promise<void>>;
  /** The position of the latest stored item (0 for none): where a stream without cursor starts. */
  head: () => Promise<number>;
  /** Stored items with a position after `after`, ascending, at most `limit`. */
  replay: (after: number, limit: number) => Promise<T[]>;
  position: (item: T) => number;
  cursor: (item: T) => string;
  /** Checked for every item before it is sent; throw (e.g. FORBIDDEN) to end the stream. */
  authorize?: (item: T) => Promise<void>;
  /** Live items that may wait during the replay or a slow send before the stream fails. */
  bufferLimit?: number;
  replayPageSize?: number;
}

export function resumableStream<T>(options: ResumableStreamOptions<T>): AsyncGenerator<T> {
  const live = createChannel<T>(options.bufferLimit ?? 10_000);
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

async function* run<T>(options: ResumableStreamOptions<T>, live: Channel<T>): AsyncGenerator<T> {
  const stop = await options.listen((item) => live.push(item));
  try {
    const from = options.stream?.resumeAfter ?? options.after ?? null;
    let last = from === null ? await options.head() : options.decode(from);
    const send = async (item: T) => {
      await options.authorize?.(item);
      last = options.position(item);
      if (options.stream) options.stream.lastCursor = options.cursor(item);
      return item;
    };
    /** Stored items after `last` and before `until` (exclusive), page by page. */
    async function* stored(until: number) {
      const pageSize = options.replayPageSize ?? 500;
      for (;;) {
        const page = (await options.replay(last, pageSize)).filter(
          (item) => options.position(item) < until,
        );
        for (const item of page) yield await send(item);
        if (page.length < pageSize) return;
      }
    }
    if (from !== null) yield* stored(Infinity);
    for await (const item of live) {
      const position = options.position(item);
      if (position <= last) continue;
      if (position > last + 1) yield* stored(position);
      yield await send(item);
    }
  } finally {
    await live.return();
    await stop();
  }
}
