/**
 * The chat workload: a channel, resuming `messageAdded` subscribers spread over both gateways
 * (several sharing one token and one cursor), and a poster that retries every message with the
 * same clientMessageId until it is acknowledged.
 */
import { createChannel, join, post } from '../support/messages';
import { addUser, type SignedIn } from '../support/seed';
import { untilAcknowledged, ResumingSubscriber, type StreamSpec } from './clients';
import { sleep, type PrivatePostgres } from './infra';
import type { Random } from './schedule';

const MESSAGE_ADDED = `subscription ($channelId: ID!, $after: String) {
  messageAdded(channelId: $channelId, after: $after) { id cursor body author { username } }
}`;

const POST = `mutation ($input: PostMessageInput!) {
  postMessage(input: $input) { id cursor }
}`;

export interface Chat {
  channelId: string;
  subscribers: ResumingSubscriber[];
  /** The subscriber's starting message, by subscriber name. */
  startOf: Map<string, string>;
}

/** Users beside the admin, each with its own token. */
const USERS = 4;
/** Subscribers 0…SHARED-1 share the admin's token, the first cursor and gateway 1. */
const SHARED = 6;

export async function setUpChat(
  urls: string[],
  admin: SignedIn,
  subscriberCount: number,
  random: Random,
): Promise<Chat> {
  const url = urls[0]!;
  const users = await Promise.all(
    Array.from({ length: USERS }, () => addUser(url, admin, 'DEVELOPER')),
  );
  const channel = await createChannel(url, admin);
  for (const user of users) await join(url, user, channel.id);
  const starts = [];
  for (let i = 0; i < 3; i++) starts.push(await post(url, admin, channel.id, `start ${i}`));
  const spec: StreamSpec = {
    query: MESSAGE_ADDED,
    variables: (after) => ({ channelId: channel.id, after }),
    keyOf: (data) => String(data.messageAdded.id),
    cursorOf: (data) => String(data.messageAdded.cursor),
  };
  const subscribers: ResumingSubscriber[] = [];
  const startOf = new Map<string, string>();
  for (let i = 0; i < subscriberCount; i++) {
    const shared = i < SHARED;
    const who = shared ? admin : users[i % USERS]!;
    const start = shared ? starts[0]! : starts[i % starts.length]!;
    const home = shared ? 0 : i % 2;
    const name = `chat-${i}`;
    startOf.set(name, start.id);
    subscribers.push(
      new ResumingSubscriber(
        name,
        [urls[home]!, urls[1 - home]!],
        who.accessToken,
        spec,
        start.cursor,
        random.fork(),
      ),
    );
  }
  return {
    channelId: channel.id,
    subscribers,
    startOf,
  };
}

export interface Acknowledged {
  clientMessageId: string;
  id: string;
}

export interface PosterStats {
  acknowledged: Acknowledged[];
  /** Requests beyond the first per message: each one a retry with the same clientMessageId. */
  retries: number;
}

/** Posts `count` messages one after another, `intervalMs` apart, each retried until acknowledged. */
export async function postMessages(
  urls: string[],
  admin: SignedIn,
  channelId: string,
  options: { count: number; intervalMs: number; seed: number; signal: AbortSignal },
): Promise<PosterStats> {
  const stats: PosterStats = { acknowledged: [], retries: 0 };
  for (let n = 0; n < options.count; n++) {
    const clientMessageId = `faults-${options.seed}-${n}`;
    // Start each message on the next gateway, so both carry posts.
    const order = n % 2 === 0 ? urls : [...urls].reverse();
    const result = await untilAcknowledged(
      order,
      POST,
      { input: { channelId, body: `message ${n}`, clientMessageId } },
      admin.accessToken,
      { signal: options.signal },
    );
    stats.retries += result.attempts - 1;
    stats.acknowledged.push({ clientMessageId, id: String(result.data!.postMessage.id) });
    await sleep(options.intervalMs);
  }
  return stats;
}

/** The channel's stored messages, in cursor (sequence) order. */
export async function storedMessages(postgres: Pick<PrivatePostgres, 'query'>, channelId: string) {
  return postgres.query<{ id: string; sequence: number; client_message_id: string | null }>(
    `select id, sequence, client_message_id from messages.messages
      where channel_id = $1 order by sequence`,
    [channelId],
  );
}

/** Problems with storage: an acknowledged post missing, stored twice, or stored as another. */
export function storageProblems(
  stored: { id: string; client_message_id: string | null }[],
  acknowledged: Acknowledged[],
): string[] {
  const byClientId = new Map<string, string[]>();
  for (const row of stored) {
    if (row.client_message_id === null) continue;
    byClientId.set(row.client_message_id, [
      ...(byClientId.get(row.client_message_id) ?? []),
      row.id,
    ]);
  }
  const problems: string[] = [];
  for (const { clientMessageId, id } of acknowledged) {
    const rows = byClientId.get(clientMessageId) ?? [];
    if (rows.length !== 1)
      problems.push(`${clientMessageId}: acknowledged as ${id}, stored ${rows.length} times`);
    else if (rows[0] !== id)
      problems.push(`${clientMessageId}: acknowledged as ${id}, stored as ${rows[0]}`);
  }
  return problems;
}
