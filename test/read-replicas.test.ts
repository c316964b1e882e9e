/**
 * PostgreSQL read replicas against a real streaming replica: a private primary and a replica of
 * it (pg_basebackup -R), every subgraph configured with both. Replica lag is made at will by
 * pausing the replica's WAL replay, so what the replica serves is told apart from what the
 * primary does by its content: a change made during the pause is on the primary only.
 */
import { createApiKey } from './support/agent';
import { claim, createDeployment } from './support/deployments';
import { graphql } from './support/graphql';
import {
  ChannelMessagesDocument,
  EditMessageDocument,
  MessageAddedIdsDocument,
} from './__generated__/graphql';
import { createChannel, post } from './support/messages';
import { authenticateNode, registerNode } from './support/nodes';
import {
  privatePostgres,
  privateReplica,
  retrying,
  type PrivatePostgres,
} from './support/private-services';
import { addUser, signUp, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';

import { collect, wsClient } from './support/subscriptions';

let primary: PrivatePostgres;
let replica: PrivatePostgres;
let stack: Stack;
let url: string;
let admin: SignedIn;
let viewer: SignedIn;

beforeAll(async () => {
  primary = await privatePostgres();
  await primary.start();
  replica = await privateReplica(primary);
  await replica.start();
  const withReplica = { databaseReplicaUrls: [replica.url] };
  stack = await startStack({
    database: { url: primary.url, drop: async () => undefined },
    config: {
      users: withReplica,
      nodes: withReplica,
      messages: withReplica,
      deployments: withReplica,
    },
  });
  url = stack.gatewayUrl;
  admin = await signUp(url);
  viewer = await addUser(url, admin, 'VIEWER');
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await replica?.remove();
  await primary?.remove();
});

/** Waits until the replica has replayed everything the primary has written so far. */
async function caughtUp(): Promise<void> {
  const [head] = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
  await retrying(async () => {
    const [row] = await replica.query<{ replayed: boolean }>(
      'select pg_last_wal_replay_lsn() >= $1::pg_lsn as replayed',
      [head!.lsn],
    );
    if (!row!.replayed) throw new Error('the replica is behind');
  });
}

/** Runs `body` while the replica replays nothing: it serves what it had, however stale. */
async function withReplayPaused<T>(body: () => Promise<T>): Promise<T> {
  await caughtUp();
  await replica.query('select pg_wal_replay_pause()');
  await retrying(async () => {
    const [row] = await replica.query<{ state: string }>(
      'select pg_get_wal_replay_pause_state() as state',
    );
    if (row!.state !== 'paused') throw new Error(`replay is ${row!.state}`);
  });
  try {
    return await body();
  } finally {
    await replica.query('select pg_wal_replay_resume()');
  }
}

const messageBodies = async (who: SignedIn, channelId: string) => {
  const response = await graphql(
    url,
    ChannelMessagesDocument,
    { id: channelId, first: 50 },
    who.headers,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.channel!.messages.edges.map((edge) => edge.node.body);
};

/** A subgraph's Prometheus series `name{replica="replica-1"}`. */
async function replicaUp(subgraph: string): Promise<number> {
  const metrics = await (
    await fetch(stack.subgraphs[subgraph]!.url.replace('/graphql', '/metrics'))
  ).text();
  const line = metrics.split('\n').find((l) => l.startsWith('opsgraph_database_replica_up{'));
  return Number(line?.split(' ').pop());
}

it('serves queries from the replica, and a caller who has just written from the primary', async () => {
  const channel = await createChannel(url, admin);
  await post(url, admin, channel.id, 'before the lag');
  await withReplayPaused(async () => {
    const posted = await post(url, admin, channel.id, 'during the lag');
    // The mutation's own payload comes from the primary.
    expect(posted.body).toBe('during the lag');
    // Its author reads their write at once, through another request…
    expect(await messageBodies(admin, channel.id)).toEqual(['before the lag', 'during the lag']);
    // …while another caller is served by the replica, which has not replayed it.
    expect(await messageBodies(viewer, channel.id)).toEqual(['before the lag']);
  });
  await caughtUp();
  expect(await messageBodies(viewer, channel.id)).toEqual(['before the lag', 'during the lag']);
});

it('replays a resumed subscription from the primary: nothing the replica lacks is missed', async () => {
  const channel = await createChannel(url, admin);
  const first = await post(url, admin, channel.id, 'm1');
  const client = wsClient(url, { authorization: `Bearer ${viewer.accessToken}` });
  try {
    await withReplayPaused(async () => {
      const stored = [];
      for (const body of ['m2', 'm3', 'm4']) stored.push(await post(url, admin, channel.id, body));
      // Resuming after m1 replays m2…m4, committed on the primary only, then continues live.
      const subscription = collect(client, MessageAddedIdsDocument, {
        channelId: channel.id,
        after: first.cursor,
      });
      await subscription.waitFor(3);
      const live = await post(url, admin, channel.id, 'm5');
      const results = await subscription.waitFor(4);
      expect(results.map((result) => result.errors)).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
      expect(results.map((result) => result.data!.messageAdded.id)).toEqual(
        [...stored, live].map((message) => message.id),
      );
      subscription.unsubscribe();
    });
  } finally {
    await client.dispose();
  }
});

it("fences a caller's reads after a change stream's head: a view read next is not older", async () => {
  const channel = await createChannel(url, admin);
  const message = await post(url, admin, channel.id, 'before the lag');
  await withReplayPaused(async () => {
    await graphql(
      url,
      EditMessageDocument,
      { id: message.id, body: 'edited during the lag' },
      admin.headers,
    );
    // The head (read on the primary) is past the edit; the viewer has written nothing…
    const head = await graphql(
      url,
      'query ($id: ID!) { messageChangedHead(channelId: $id) }',
      { id: channel.id },
      viewer.headers,
    );
    expect(head.errors).toBeUndefined();
    // …yet the view it loads next shows the edit: subscribing from the head misses nothing.
    expect(await messageBodies(viewer, channel.id)).toEqual(['edited during the lag']);
  });
});

it('claims a deployment queued while the replica lags, and accepts an API key created then', async () => {
  const registered = await registerNode(url, admin);
  const agent = await authenticateNode(url, registered);
  await withReplayPaused(async () => {
    const queued = await createDeployment(url, admin.headers, { nodeId: registered.node.id });
    expect((await claim(url, agent.headers))?.id).toBe(queued.id);

    const secret = await createApiKey(url, admin, 'VIEWER');
    const me = await graphql(url, '{ me { id } }', {}, { 'x-api-key': secret });
    expect(me.errors).toBeUndefined();
    expect(me.data?.me.id).toBe(admin.user.id);
  });
});

it('reads from the primary while the replica is down, staying ready, and returns to the replica', async () => {
  const channel = await createChannel(url, admin);
  await replica.stop();
  try {
    await post(url, admin, channel.id, 'while the replica is down');
    expect(await messageBodies(viewer, channel.id)).toEqual(['while the replica is down']);
    await retrying(async () => expect(await replicaUp('messages')).toBe(0));
    for (const subgraph of Object.values(stack.subgraphs)) {
      const ready = await fetch(subgraph.url.replace('/graphql', '/readyz'));
      expect(ready.status).toBe(200);
    }
  } finally {
    await replica.start();
  }
  await retrying(async () => expect(await replicaUp('messages')).toBe(1));
  await withReplayPaused(async () => {
    await post(url, admin, channel.id, 'after it came back');
    expect(await messageBodies(viewer, channel.id)).toEqual(['while the replica is down']);
  });
});
