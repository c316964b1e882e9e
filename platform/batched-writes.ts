/**
 * Socket writes batched per tick. A subscription server writes one WebSocket frame per event and
 * subscriber; in a replay, hundreds of frames go to the same socket within one tick, and a system
 * call for each was 16 % of the gateway's CPU in a reconnect storm (docs/benchmarks.md).
 */
import type WebSocket from 'ws';

/** The parts of a TCP socket (node:net) that corking relies on. */
export interface CorkableStream {
  cork(): void;
  uncork(): void;
  writableCorked: number;
}

/**
 * The streams corked in this tick, each with what to run once it is flushed and its argument
 * (parallel arrays, reused: a fan-out corks tens of thousands of streams per event, and an object
 * or a closure for each would be garbage by the next tick).
 */
const heldStreams: CorkableStream[] = [];
const afterFlush: (((target: never) => void) | undefined)[] = [];
const flushTargets: unknown[] = [];

function flushHeldStreams(): void {
  // By index, to the end: a stream corked while these are flushed joins this pass.
  for (let i = 0; i < heldStreams.length; i++) {
    heldStreams[i]!.uncork();
    afterFlush[i]?.(flushTargets[i] as never);
  }
  heldStreams.length = afterFlush.length = flushTargets.length = 0;
}

/**
 * Holds the stream's writes until the current tick's work (its promise jobs included) is done,
 * so that everything written meanwhile leaves in one write; `flushed(target)` runs once it has
 * been handed to the stream. Does nothing while the stream is corked already: the first cork of
 * the tick covers the rest, and its `flushed` runs for all of them. One tick callback flushes
 * every stream held in the tick.
 */
export function holdWritesForTick<T>(
  stream: CorkableStream,
  flushed?: (target: T) => void,
  target?: T,
): void {
  if (stream.writableCorked) return;
  stream.cork();
  if (heldStreams.push(stream) === 1) process.nextTick(flushHeldStreams);
  afterFlush.push(flushed as ((target: never) => void) | undefined);
  flushTargets.push(target);
}

/**
 * Makes every `send` on a ws socket join the tick's batch (holdWritesForTick on its TCP
 * socket), for servers whose library sends frames one by one (graphql-ws). A send's callback
 * still runs once its frame is written.
 */
export function batchSendsPerTick(socket: WebSocket): void {
  const stream = (socket as unknown as { _socket?: CorkableStream })._socket;
  if (!stream || typeof stream.cork !== 'function') return;
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  socket.send = ((...args: unknown[]) => {
    holdWritesForTick(stream);
    send(...args);
  }) as WebSocket['send'];
}
