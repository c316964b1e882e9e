/**
 * Gapless, duplicate-free streams for subscriptions that can resume from a cursor (chat
 * messages, deployment events). The order matters: start listening live first (buffering),
 * then replay what is stored after the cursor, then continue with the live items, dropping any
 * at or before the last one sent. Nothing published during the replay is lost, and nothing is
 * sent twice at the seam.
 *
 * Each item's cursor is also recorded on the subscription's StreamState, which the subscription
 * server sends as `extensions.resumeCursor`: the gateway re-subscribes from it after losing its
 * connection to the subgraph (passing it back as `extensions.resumeAfter`).
 */
import { createChannel } from './channel';

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

export async function* resumableStream<T>(options: ResumableStreamOptions<T>): AsyncGenerator<T> {
  const from = options.stream?.resumeAfter ?? options.after ?? null;
  let last = from === null ? null : options.decode(from);
  const live = createChannel<T>(options.bufferLimit ?? 10_000);
  const stop = await options.listen((item) => live.push(item));
  const send = async (item: T) => {
    await options.authorize?.(item);
    last = options.position(item);
    if (options.stream) options.stream.lastCursor = options.cursor(item);
    return item;
  };
  try {
    if (last !== null) {
      const pageSize = options.replayPageSize ?? 500;
      for (;;) {
        const page = await options.replay(last, pageSize);
        for (const item of page) yield await send(item);
        if (page.length < pageSize) break;
      }
    }
    for await (const item of live) {
      if (last !== null && options.position(item) <= last) continue;
      yield await send(item);
    }
  } finally {
    await live.return();
    await stop();
  }
}
