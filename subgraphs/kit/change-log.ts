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
 *
 * Records are kept for a retention (CHANGE_RETENTION_HOURS), then pruned by one replica at a
 * time (startChangeLogPruner). Heads are kept, and `change_log_pruned` records, per stream, the
 * last position pruned: a cursor before it can no longer be resumed (CURSOR_EXPIRED), which a
 * replay tells from the records and the mark read in one statement, so a prune running
 * concurrently never makes a replay skip silently.
 */
import { badUserInput, cursorExpired } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { RedisConnections } from '../../platform/redis';
import type { Database, EntityManager } from './orm';
import { cursorScope, encodeCursor, hasShape, readCursor } from './pagination';
import type { TypedPubSub } from './pubsub';
import { resumableStream, type AccessRecheck, type StreamState } from './resumable';
import { runOnOneReplica, type SingleRunner } from './single-runner';

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
 * whose payload contains it (e.g. `{ nodeId }`). CURSOR_EXPIRED when changes after `after` were
 * pruned: the records and the prune mark are read in one statement (one snapshot), and a prune
 * deletes records and moves the mark in one transaction, so either the records are there or
 * the mark says they are gone.
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
  const rows = await em.execute<{ position: string | null; payload: P | null; pruned: string }[]>(
    `select c.position, c.payload,
            coalesce((select through from "${schema}"."change_log_pruned"
                       where topic = ? and stream = ?), 0) as pruned
       from (select 1) as one
       left join lateral (
         select position, payload from "${schema}"."change_log"
          where topic = ? and stream = ? and position > ? and payload @> ?::jsonb
          order by position limit ?
       ) c on true`,
    [topic, stream, topic, stream, after, JSON.stringify(match), limit],
  );
  if (Number(rows[0]?.pruned ?? 0) > after) throw cursorExpired();
  return rows
    .filter((row) => row.position !== null)
    .map((row) => ({ position: Number(row.position), payload: row.payload as P }));
}

/**
 * The cursor of the stream's latest change (position 0 when it has none): `after` for a
 * subscription that starts exactly there. Read on the primary (`em` from the subgraph's fork),
 * so it is never ahead of what a later read of the caller sees once read routing is fenced
 * (see ReadMode.fence).
 */
export async function changeHeadCursor(
  em: EntityManager,
  schema: string,
  topic: string,
  stream: string,
): Promise<string> {
  return changeCursor(topic, stream, await changeHead(em, schema, topic, stream));
}

/**
 * Deletes the changes recorded before `before`, stream by stream: each stream loses every
 * position up to its last one recorded before it (positions are in commit order, recording
 * times nearly so), and its prune mark moves there in the same statement. Heads stay. Returns
 * how many records went.
 */
export async function pruneChanges(
  em: EntityManager,
  schema: string,
  before: Date,
): Promise<number> {
  const [row] = await em.execute<{ count: string }[]>(
    `with expired as (
       select topic, stream, max(position) as through from "${schema}"."change_log"
        where recorded_at < ? group by topic, stream
     ), marked as (
       insert into "${schema}"."change_log_pruned" (topic, stream, through)
       select topic, stream, through from expired
       on conflict (topic, stream) do update
         set through = greatest("change_log_pruned".through, excluded.through)
       returning topic, stream, through
     ), deleted as (
       delete from "${schema}"."change_log" c using marked m
        where c.topic = m.topic and c.stream = m.stream and c.position <= m.through
       returning 1
     )
     select count(*) as count from deleted`,
    [before],
  );
  return Number(row?.count ?? 0);
}

/** The pruner's lease key, after the Redis prefix; one per subgraph schema. */
export const pruneLeaseKey = (schema: string) => `${schema}:change-log-pruner-lease`;

/** A week, as CHANGE_RETENTION_HOURS defaults to (platform/env.ts). */
export const DEFAULT_RETENTION_HOURS = 168;

/** How often records are pruned: each run deletes about this long's worth, a few at most. */
export const DEFAULT_PRUNE_INTERVAL_MS = 10 * 60_000;

/** Prunes `schema`'s change log every `intervalMs`, on one replica at a time. */
export function startChangeLogPruner(deps: {
  database: Database;
  redis: RedisConnections;
  logger: Logger;
  schema: string;
  retentionHours: number;
  intervalMs: number;
}): SingleRunner {
  return runOnOneReplica({
    redis: deps.redis,
    leaseKey: pruneLeaseKey(deps.schema),
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    name: 'change log prune',
    task: async () => {
      const before = new Date(Date.now() - deps.retentionHours * 3_600_000);
      const count = await pruneChanges(deps.database.fork(), deps.schema, before);
      if (count > 0) deps.logger.info({ count, before }, 'old change records pruned');
    },
  });
}

/**
 * A change's cursor is scoped to its stream, the topic within one scope (a channel, an
 * organization): a cursor of another stream — another topic's, another channel's or
 * organization's, or a Message.cursor — is refused instead of being read as a position there.
 */
export const changeCursor = (topic: string, stream: string, position: number) =>
  encodeCursor([position], cursorScope(topic, stream));

/**
 * The position a cursor of this stream holds. A v1 cursor (`[topic, position]`, made before
 * cursors were scoped) names only its topic: it is taken if the topic is this one, and a
 * position past the head is refused by the stream (kit/resumable.ts).
 */
export function decodeChangeCursor(
  topic: string,
  stream: string,
  cursor: string,
  argument = 'after',
): number {
  const { version, key } = readCursor(cursor, argument, cursorScope(topic, stream));
  const position =
    version === 'v2'
      ? hasShape(key, ['number']) && key[0]
      : hasShape(key, ['string', 'number']) && key[0] === topic && key[1];
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
    throw badUserInput(`\`${argument}\` is not a cursor of this stream.`, argument);
  }
  return position;
}

/** A change as published and streamed: its payload with its position in the stream. */
export interface Positioned {
  position: number;
  /** changeCursor(topic, stream, position): `after` for a stream that resumes past this change. */
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
  accessRecheck?: AccessRecheck;
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
    decode: (cursor) => decodeChangeCursor(topic, scope, cursor),
    encode: (position) => changeCursor(topic, scope, position),
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
            changeCursor: changeCursor(topic, scope, position),
          }) as Item,
      ),
    position: (item) => item.position,
    cursor: (item) => item.changeCursor,
    pollIntervalMs: pubsub.pollIntervalMs,
    wake: (signal) => pubsub.onRecovered(signal),
    ...(options.authorize ? { authorize: options.authorize } : {}),
    ...(options.accessRecheck ? { accessRecheck: options.accessRecheck } : {}),
  });
}
