/**
 * Stored change records, so that streams of changes (a message edited, a deployment's status, a
 * node's status) resume from a cursor like the streams of stored items do.
 *
 * Each subgraph that owns such a stream has two tables in its schema (created by its own
 * migration): `change_log` (topic, stream, position, payload) and `change_log_heads` (the last
 * position of each stream). A stream is one topic within one scope — a channel, an organization.
 * A change is appended in the transaction that makes it: its stream's head row is incremented,
 * which locks it until commit, so positions are dense (1, 2, 3… per stream) and in commit order,
 * as resumableStream requires. The payload is the event published on Redis after the commit,
 * without its position, which is added when it is read or published.
 */
import { badUserInput } from '../../platform/errors';
import type { EntityManager } from './orm';
import { decodeCursor, encodeCursor } from './pagination';
import type { TypedPubSub } from './pubsub';
import { resumableStream, type StreamState } from './resumable';

export interface Change<P> {
  stream: string;
  payload: P;
}

export interface StoredChange<P> {
  position: number;
  payload: P;
}

/**
 * Appends changes and returns their positions, in the order given. `em` must be inside the
 * transaction that makes the changes. Streams' heads are locked in one order (by stream), so
 * two transactions appending to the same streams cannot deadlock on them.
 */
export async function appendChanges<P>(
  em: EntityManager,
  schema: string,
  topic: string,
  changes: Change<P>[],
): Promise<number[]> {
  if (changes.length === 0) return [];
  const rows = await em.execute<{ stream: string; position: string }[]>(
    `with input as (
       select * from jsonb_to_recordset(?::jsonb) as t(n int, stream uuid, payload jsonb)
     ), heads as (
       insert into "${schema}"."change_log_heads" (topic, stream, position)
       select ?, stream, count(*) from input group by stream order by stream
       on conflict (topic, stream)
         do update set position = "change_log_heads".position + excluded.position
       returning stream, position
     ), appended as (
       insert into "${schema}"."change_log" (topic, stream, position, payload)
       select ?, i.stream,
              h.position - count(*) over (partition by i.stream)
                + row_number() over (partition by i.stream order by i.n),
              i.payload
         from input i join heads h using (stream)
     )
     select stream, position from heads`,
    [JSON.stringify(changes.map((change, n) => ({ n, ...change }))), topic, topic],
  );
  // Each stream's changes end at its new head, in the order given.
  const next = new Map<string, number>();
  for (const row of rows) {
    const count = changes.filter((change) => change.stream === row.stream).length;
    next.set(row.stream, Number(row.position) - count + 1);
  }
  return changes.map((change) => {
    const position = next.get(change.stream)!;
    next.set(change.stream, position + 1);
    return position;
  });
}

/** The stream's last position (0 when it has none). */
export async function changeHead(
  em: EntityManager,
  schema: string,
  topic: string,
  stream: string,
): Promise<number> {
  const [row] = await em.execute<{ position: string }[]>(
    `select position from "${schema}"."change_log_heads" where topic = ? and stream = ?`,
    [topic, stream],
  );
  return row ? Number(row.position) : 0;
}

/**
 * The stream's changes after `after`, oldest first, at most `limit`; with `match`, only those
 * whose payload contains it (e.g. `{ nodeId }`).
 */
export async function changesAfter<P>(
  em: EntityManager,
  schema: string,
  topic: string,
  stream: string,
  after: number,
  limit: number,
  match: Partial<P> = {},
): Promise<StoredChange<P>[]> {
  const rows = await em.execute<{ position: string; payload: P }[]>(
    `select position, payload from "${schema}"."change_log"
      where topic = ? and stream = ? and position > ? and payload @> ?::jsonb
      order by position limit ?`,
    [topic, stream, after, JSON.stringify(match), limit],
  );
  return rows.map((row) => ({ position: Number(row.position), payload: row.payload }));
}

/**
 * A change's cursor names its topic, so that a cursor of one stream (or a Message.cursor) is
 * refused by another instead of being read as a position there.
 */
export const changeCursor = (topic: string, position: number) => encodeCursor([topic, position]);

export function decodeChangeCursor(topic: string, cursor: string, argument = 'after'): number {
  const [tag, position] = decodeCursor(cursor, ['string', 'number'], argument) as [string, number];
  if (tag !== topic || !Number.isSafeInteger(position) || position < 0) {
    throw badUserInput(`\`${argument}\` is not a cursor of this stream.`, argument);
  }
  return position;
}

/** A change as published and streamed: its payload with its position in the stream. */
export interface Positioned {
  position: number;
  /** changeCursor(topic, position): `after` for a stream that resumes past this change. */
  changeCursor: string;
}

/**
 * A resumable stream of one topic's changes within one scope (e.g. an organization): replays
 * the stored changes after the cursor, then continues live (resumableStream). Only payloads
 * containing `match` are delivered, live or stored; `match` must name the scope's own field
 * too (e.g. `{ organizationId }`), since the live topic carries every scope.
 */
export function changeStream<
  TopicMap extends Record<string, unknown>,
  K extends keyof TopicMap & string,
>(options: {
  pubsub: TypedPubSub<TopicMap>;
  topic: K;
  schema: string;
  scope: string;
  match: Partial<TopicMap[K]>;
  fork: () => EntityManager;
  stream: StreamState | undefined;
  after: string | null | undefined;
  authorize?: (item: TopicMap[K] & Positioned) => Promise<void>;
}): AsyncGenerator<TopicMap[K] & Positioned> {
  type Item = TopicMap[K] & Positioned;
  const { pubsub, topic, schema, scope, match } = options;
  const matches = (payload: TopicMap[K]) =>
    Object.entries(match).every(
      ([key, value]) => (payload as Record<string, unknown>)[key] === value,
    );
  return resumableStream<Item>({
    stream: options.stream,
    after: options.after,
    decode: (cursor) => decodeChangeCursor(topic, cursor),
    listen: (push) =>
      pubsub.listen(topic, (payload) => (matches(payload) ? (payload as Item) : null), push),
    head: () => changeHead(options.fork(), schema, topic, scope),
    checkHead: () =>
      pubsub.sharedHead(`${topic}:${scope}`, () =>
        changeHead(options.fork(), schema, topic, scope),
      ),
    replay: async (after, limit) =>
      (
        await changesAfter<TopicMap[K]>(options.fork(), schema, topic, scope, after, limit, match)
      ).map(
        ({ position, payload }) =>
          ({
            ...(payload as object),
            position,
            changeCursor: changeCursor(topic, position),
          }) as Item,
      ),
    position: (item) => item.position,
    cursor: (item) => item.changeCursor,
    pollIntervalMs: pubsub.pollIntervalMs,
    wake: (signal) => pubsub.onRecovered(signal),
    ...(options.authorize ? { authorize: options.authorize } : {}),
  });
}
