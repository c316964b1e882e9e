/**
 * The messages subgraph end to end through the gateway: channels and membership, visibility of
 * private channels, idempotent posting, edits and tombstones, events on Redis and organization
 * isolation, on real PostgreSQL and Redis. Paging and moderation have their own files.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTokenSigner } from '../platform/tokens';
import { bearer, errorCodes, graphql } from './support/graphql';
import {
  AddChannelMemberDocument,
  ChannelDocument,
  ChannelMessagesDocument,
  ChannelsDocument,
  CreateChannelDocument,
  DeleteMessageDocument,
  EditMessageDocument,
  JoinChannelDocument,
  LeaveChannelDocument,
} from './__generated__/graphql';
import {
  createChannel,
  join,
  listenToMessageEvents,
  post,
  postMessage,
  waitFor,
} from './support/messages';
import { addUser, signUp, unique, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let url: string;
let events: Awaited<ReturnType<typeof listenToMessageEvents>>;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users', 'messages'] });
  url = stack.gatewayUrl;
  events = await listenToMessageEvents(stack.shared.base.redisUrl, stack.shared.base.redisPrefix);
});
afterAll(async () => {
  await events?.close();
  await stack?.stop();
});

/** A fresh organization: its ADMIN, two DEVELOPERs and a VIEWER. */
async function organization() {
  const admin = await signUp(url);
  const [dev, dev2, viewer] = [
    await addUser(url, admin, 'DEVELOPER'),
    await addUser(url, admin, 'DEVELOPER'),
    await addUser(url, admin, 'VIEWER'),
  ];
  return { admin, dev, dev2, viewer };
}

const person = (who: SignedIn) => ({
  id: who.user.id,
  username: who.user.username,
  displayName: who.user.username,
});

async function channelIds(who: SignedIn): Promise<string[]> {
  const response = await graphql(url, ChannelsDocument, { first: 100 }, who.headers);
  return response.data!.channels.edges.map((edge: { node: { id: string } }) => edge.node.id);
}

describe('channels and members', () => {
  it('creates a public channel with members, resolving users from the users subgraph', async () => {
    const { admin, dev } = await organization();
    const name = unique('general-');
    const response = await graphql(
      url,
      `
        mutation ($input: CreateChannelInput!) {
          createChannel(input: $input) {
            id
            name
            topic
            kind
            memberCount
            viewerIsMember
            createdAt
            createdBy {
              id
              username
              displayName
            }
            members(first: 10) {
              edges {
                joinedAt
                node {
                  id
                  username
                }
              }
              pageInfo {
                hasNextPage
              }
            }
          }
        }
      `,
      { input: { name: `  ${name}  `, topic: 'Everything', memberIds: [dev.user.id] } },
      admin.headers,
    );
    expect(response.errors).toBeUndefined();
    const { members, ...channel } = response.data!.createChannel;
    expect(channel).toEqual({
      id: expect.any(String),
      name,
      topic: 'Everything',
      kind: 'PUBLIC',
      memberCount: 2,
      viewerIsMember: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      createdBy: person(admin),
    });
    // The creator joined first, as the channel came into being; those it added a moment later.
    expect(members.pageInfo).toEqual({ hasNextPage: false });
    expect(members.edges).toEqual([
      { joinedAt: channel.createdAt, node: { id: admin.user.id, username: admin.user.username } },
      {
        joinedAt: new Date(Date.parse(channel.createdAt) + 1).toISOString(),
        node: { id: dev.user.id, username: dev.user.username },
      },
    ]);
  });

  it("lists a channel's creator first, whoever its first members are", async () => {
    const { admin, dev, dev2 } = await organization();
    // Each of three users creates one with the other two: ids alone would put one of them first.
    for (const [creator, ...others] of [
      [admin, dev, dev2],
      [dev, dev2, admin],
      [dev2, admin, dev],
    ] as const) {
      const response = await graphql(
        url,
        `
          mutation ($input: CreateChannelInput!) {
            createChannel(input: $input) {
              members(first: 10) {
                edges {
                  node {
                    id
                  }
                }
              }
            }
          }
        `,
        { input: { name: unique('first-'), memberIds: others.map((who) => who.user.id) } },
        creator.headers,
      );
      const members = response.data!.createChannel.members.edges.map(
        (edge: { node: { id: string } }) => edge.node.id,
      );
      expect(members[0]).toBe(creator.user.id);
      expect([...members].sort()).toEqual([admin, dev, dev2].map((who) => who.user.id).sort());
    }
  });

  it('joins and leaves public channels; both are idempotent', async () => {
    const { admin, dev2 } = await organization();
    const channel = await createChannel(url, admin);
    const seen = await graphql(url, ChannelDocument, { id: channel.id }, dev2.headers);
    expect(seen.data!.channel).toMatchObject({ memberCount: 1, viewerIsMember: false });

    const joined = await graphql(url, JoinChannelDocument, { id: channel.id }, dev2.headers);
    expect(joined.data).toEqual({
      joinChannel: { id: channel.id, memberCount: 2, viewerIsMember: true },
    });
    const again = await graphql(url, JoinChannelDocument, { id: channel.id }, dev2.headers);
    expect(again.data).toEqual(joined.data);

    expect(
      (await graphql(url, LeaveChannelDocument, { id: channel.id }, dev2.headers)).data,
    ).toEqual({
      leaveChannel: true,
    });
    expect(
      (await graphql(url, LeaveChannelDocument, { id: channel.id }, dev2.headers)).data,
    ).toEqual({
      leaveChannel: false,
    });
    const after = await graphql(url, ChannelDocument, { id: channel.id }, dev2.headers);
    expect(after.data!.channel).toMatchObject({ memberCount: 1, viewerIsMember: false });
  });

  it('adds members (members only), and pages through them in join order', async () => {
    const { admin, dev, dev2, viewer } = await organization();
    const channel = await createChannel(url, admin);
    // Not a member yet: may not add anyone.
    const outsider = await graphql(
      url,
      AddChannelMemberDocument,
      { channelId: channel.id, userId: dev2.user.id },
      dev.headers,
    );
    expect(errorCodes(outsider)).toEqual(['FORBIDDEN']);

    for (const who of [dev, dev2, viewer]) {
      const added = await graphql(
        url,
        AddChannelMemberDocument,
        { channelId: channel.id, userId: who.user.id },
        admin.headers,
      );
      expect(added.errors).toBeUndefined();
    }
    // Adding someone twice changes nothing.
    const twice = await graphql(
      url,
      AddChannelMemberDocument,
      { channelId: channel.id, userId: dev.user.id },
      admin.headers,
    );
    expect(twice.data).toEqual({ addChannelMember: { id: channel.id, memberCount: 4 } });

    const members: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await graphql(
        url,
        `
          query ($id: ID!, $after: String) {
            channel(id: $id) {
              members(first: 3, after: $after) {
                edges {
                  node {
                    id
                  }
                }
                pageInfo {
                  hasNextPage
                  endCursor
                }
              }
            }
          }
        `,
        { id: channel.id, after },
        viewer.headers,
      );
      const { edges, pageInfo } = page.data.channel.members;
      members.push(...edges.map((edge: { node: { id: string } }) => edge.node.id));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(members).toEqual([admin, dev, dev2, viewer].map((who) => who.user.id));
  });

  it('refuses duplicate names in any letter case, bad input and missing roles', async () => {
    const { admin, viewer } = await organization();
    const channel = await createChannel(url, admin);
    const duplicate = await graphql(
      url,
      CreateChannelDocument,
      { input: { name: channel.name.toUpperCase() } },
      admin.headers,
    );
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'name',
    });
    const blank = await graphql(
      url,
      CreateChannelDocument,
      { input: { name: '   ' } },
      admin.headers,
    );
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const nul = await graphql(
      url,
      CreateChannelDocument,
      { input: { name: 'a\u0000b' } },
      admin.headers,
    );
    expect(nul.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const unknownMember = await graphql(
      url,
      CreateChannelDocument,
      { input: { name: unique('c-'), memberIds: ['not-a-user'] } },
      admin.headers,
    );
    expect(errorCodes(unknownMember)).toEqual(['NOT_FOUND']);

    // VIEWERs read; creating channels and posting take a DEVELOPER.
    const byViewer = await graphql(
      url,
      CreateChannelDocument,
      { input: { name: unique('c-') } },
      viewer.headers,
    );
    expect(errorCodes(byViewer)).toEqual(['FORBIDDEN']);
    await join(url, viewer, channel.id);
    const viewerPost = await postMessage(url, viewer, { channelId: channel.id, body: 'hi' });
    expect(errorCodes(viewerPost)).toEqual(['FORBIDDEN']);

    const anonymous = await graphql(url, ChannelsDocument, {});
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const badCursor = await graphql(url, ChannelsDocument, { after: 'garbage' }, admin.headers);
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
  });

  it('lists visible channels by name, page by page', async () => {
    const { admin } = await organization();
    const names = ['delta', 'Alpha', 'charlie', 'bravo', 'echo'].map((n) => `${n}-${unique('')}`);
    for (const name of names) await createChannel(url, admin, { name });
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await graphql(url, ChannelsDocument, { first: 2, after }, admin.headers);
      seen.push(
        ...page.data.channels.edges.map((edge: { node: { name: string } }) => edge.node.name),
      );
      if (!page.data.channels.pageInfo.hasNextPage) break;
      after = page.data.channels.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort()).toEqual([...names].sort());
    expect(new Set(seen).size).toBe(5);
  });

  it('refuses node tokens on chat operations', async () => {
    const { admin } = await organization();
    const signer = await createTokenSigner(stack.shared.signingKey);
    const { token } = await signer.sign(
      { kind: 'node', nodeId: randomUUID(), organizationId: admin.user.organization.id },
      60,
    );
    const response = await graphql(url, ChannelsDocument, {}, bearer(token));
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });
});

describe('private channels', () => {
  it('are invisible to non-members until a member adds them', async () => {
    const { admin, dev, dev2 } = await organization();
    const secret = await createChannel(url, dev, { kind: 'PRIVATE', memberIds: [admin.user.id] });
    const message = await post(url, dev, secret.id, 'for members only');

    // dev2 is not a member: the channel does not exist for them, nor does anything in it.
    expect(
      errorCodes(await graphql(url, ChannelDocument, { id: secret.id }, dev2.headers)),
    ).toEqual(['NOT_FOUND']);
    expect(await channelIds(dev2)).not.toContain(secret.id);
    expect(
      errorCodes(await graphql(url, JoinChannelDocument, { id: secret.id }, dev2.headers)),
    ).toEqual(['NOT_FOUND']);
    expect(
      errorCodes(await graphql(url, LeaveChannelDocument, { id: secret.id }, dev2.headers)),
    ).toEqual(['NOT_FOUND']);
    expect(
      errorCodes(await postMessage(url, dev2, { channelId: secret.id, body: 'let me in' })),
    ).toEqual(['NOT_FOUND']);
    expect(
      errorCodes(
        await graphql(
          url,
          AddChannelMemberDocument,
          { channelId: secret.id, userId: dev2.user.id },
          dev2.headers,
        ),
      ),
    ).toEqual(['NOT_FOUND']);
    expect(
      errorCodes(
        await graphql(url, EditMessageDocument, { id: message.id, body: 'x' }, dev2.headers),
      ),
    ).toEqual(['NOT_FOUND']);
    expect(
      errorCodes(await graphql(url, DeleteMessageDocument, { id: message.id }, dev2.headers)),
    ).toEqual(['NOT_FOUND']);

    // Members see it; a member adds dev2, who then sees it and its messages.
    expect(await channelIds(dev)).toContain(secret.id);
    const added = await graphql(
      url,
      AddChannelMemberDocument,
      { channelId: secret.id, userId: dev2.user.id },
      admin.headers,
    );
    expect(added.data).toEqual({ addChannelMember: { id: secret.id, memberCount: 3 } });
    const read = await graphql(
      url,
      ChannelMessagesDocument,
      { id: secret.id, first: 10 },
      dev2.headers,
    );
    expect(read.data!.channel!.messages.edges).toEqual([
      { cursor: message.cursor, node: { id: message.id, body: 'for members only' } },
    ]);

    // Leaving makes it invisible again.
    expect(
      (await graphql(url, LeaveChannelDocument, { id: secret.id }, dev2.headers)).data,
    ).toEqual({
      leaveChannel: true,
    });
    expect(
      errorCodes(await graphql(url, ChannelDocument, { id: secret.id }, dev2.headers)),
    ).toEqual(['NOT_FOUND']);
  });

  it('posting takes membership in public channels too', async () => {
    const { admin, dev } = await organization();
    const channel = await createChannel(url, admin);
    const refused = await postMessage(url, dev, { channelId: channel.id, body: 'hello' });
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    await join(url, dev, channel.id);
    const accepted = await postMessage(url, dev, { channelId: channel.id, body: 'hello' });
    expect(accepted.errors).toBeUndefined();
  });
});

describe('posting idempotently', () => {
  async function rowsWith(clientMessageId: string): Promise<number> {
    const client = new Client({ connectionString: stack.database.url });
    await client.connect();
    try {
      const result = await client.query(
        'select count(*)::int as n from messages.messages where client_message_id = $1',
        [clientMessageId],
      );
      return result.rows[0].n as number;
    } finally {
      await client.end();
    }
  }

  it('returns the original message for a sequential retry, and publishes once', async () => {
    const { admin } = await organization();
    const channel = await createChannel(url, admin);
    const input = { channelId: channel.id, body: 'deploying now', clientMessageId: unique('m-') };
    const first = await postMessage(url, admin, input);
    const retry = await postMessage(url, admin, input);
    expect(first.errors).toBeUndefined();
    expect(retry.data).toEqual(first.data);
    expect(await rowsWith(input.clientMessageId)).toBe(1);
    const id = first.data!.postMessage!.id;
    await waitFor(() => events.of(id).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events.of(id).map((event) => event.topic)).toEqual(['MESSAGE_ADDED']);
  });

  it('stores one message when retries race', async () => {
    const { admin } = await organization();
    const channel = await createChannel(url, admin);
    for (let round = 0; round < 3; round++) {
      const input = { channelId: channel.id, body: `race ${round}`, clientMessageId: unique('m-') };
      const responses = await Promise.all(
        Array.from({ length: 4 }, () => postMessage(url, admin, input)),
      );
      for (const response of responses) expect(response.errors).toBeUndefined();
      const ids = new Set(responses.map((response) => response.data!.postMessage!.id));
      expect(ids.size).toBe(1);
      expect(await rowsWith(input.clientMessageId)).toBe(1);
    }
  });

  it('scopes clientMessageId to its author, and refuses reuse in another channel', async () => {
    const { admin, dev } = await organization();
    const channel = await createChannel(url, admin, { memberIds: [dev.user.id] });
    const other = await createChannel(url, admin);
    const clientMessageId = unique('m-');
    const mine = await postMessage(url, admin, {
      channelId: channel.id,
      body: 'a',
      clientMessageId,
    });
    const theirs = await postMessage(url, dev, {
      channelId: channel.id,
      body: 'b',
      clientMessageId,
    });
    expect(theirs.data!.postMessage!.id).not.toBe(mine.data!.postMessage!.id);
    const elsewhere = await postMessage(url, admin, {
      channelId: other.id,
      body: 'a',
      clientMessageId,
    });
    expect(elsewhere.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      field: 'clientMessageId',
    });
  });
});

describe('editing and deleting', () => {
  it('lets only the author edit, and the author or an ADMIN delete, leaving tombstones', async () => {
    const { admin, dev, dev2 } = await organization();
    const channel = await createChannel(url, admin, { memberIds: [dev.user.id, dev2.user.id] });
    const message = await post(url, dev, channel.id, 'first draft');

    for (const who of [dev2, admin]) {
      const refused = await graphql(
        url,
        EditMessageDocument,
        { id: message.id, body: 'hijacked' },
        who.headers,
      );
      expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    }
    const edited = await graphql(
      url,
      EditMessageDocument,
      { id: message.id, body: 'final text' },
      dev.headers,
    );
    expect(edited.data!.editMessage).toEqual({
      ...message,
      body: 'final text',
      editedAt: expect.stringMatching(/^\d{4}-/),
      author: person(dev),
      channel: { id: channel.id },
      createdAt: expect.any(String),
    });

    expect(
      errorCodes(await graphql(url, DeleteMessageDocument, { id: message.id }, dev2.headers)),
    ).toEqual(['FORBIDDEN']);
    const deleted = await graphql(url, DeleteMessageDocument, { id: message.id }, admin.headers);
    expect(deleted.data!.deleteMessage).toMatchObject({
      id: message.id,
      cursor: message.cursor,
      body: null,
      deleted: true,
      author: person(dev),
    });
    // Deleting again is harmless; editing a tombstone is a conflict.
    const again = await graphql(url, DeleteMessageDocument, { id: message.id }, dev.headers);
    expect(again.data!.deleteMessage).toMatchObject({ id: message.id, deleted: true, body: null });
    const editDeleted = await graphql(
      url,
      EditMessageDocument,
      { id: message.id, body: 'back' },
      dev.headers,
    );
    expect(errorCodes(editDeleted)).toEqual(['CONFLICT']);

    // The author deletes their own; both tombstones keep their place in the channel.
    const own = await post(url, dev2, channel.id, 'oops');
    expect(
      (await graphql(url, DeleteMessageDocument, { id: own.id }, dev2.headers)).data!.deleteMessage,
    ).toMatchObject({ deleted: true, body: null });
    const page = await graphql(
      url,
      ChannelMessagesDocument,
      { id: channel.id, first: 10 },
      dev.headers,
    );
    expect(page.data!.channel!.messages.edges).toEqual([
      { cursor: message.cursor, node: { id: message.id, body: null } },
      { cursor: own.cursor, node: { id: own.id, body: null } },
    ]);
    // The text is erased from the database, not just hidden.
    const client = new Client({ connectionString: stack.database.url });
    await client.connect();
    const rows = await client.query('select body from messages.messages where id = any($1)', [
      [message.id, own.id],
    ]);
    await client.end();
    expect(rows.rows.map((row) => row.body)).toEqual(['', '']);
  });

  it('publishes every stored, edited and deleted message', async () => {
    const { admin } = await organization();
    const channel = await createChannel(url, admin);
    const message = await post(url, admin, channel.id, 'v1');
    await graphql(url, EditMessageDocument, { id: message.id, body: 'v2' }, admin.headers);
    await graphql(url, DeleteMessageDocument, { id: message.id }, admin.headers);
    await waitFor(() => events.of(message.id).length === 3);
    const common = {
      id: message.id,
      organizationId: admin.user.organization.id,
      channelId: channel.id,
      sequence: 1,
      cursor: message.cursor,
      authorId: admin.user.id,
      createdAt: message.createdAt,
    };
    expect(events.of(message.id)).toEqual([
      { topic: 'MESSAGE_ADDED', payload: { ...common, body: 'v1' } },
      {
        topic: 'MESSAGE_CHANGED',
        payload: {
          ...common,
          change: 'EDITED',
          body: 'v2',
          editedAt: expect.any(String),
          deletedAt: null,
          // The channel's change stream: edits and deletions numbered 1, 2, …
          position: 1,
          changeCursor: expect.any(String),
        },
      },
      {
        topic: 'MESSAGE_CHANGED',
        payload: {
          ...common,
          change: 'DELETED',
          body: null,
          editedAt: expect.any(String),
          deletedAt: expect.any(String),
          position: 2,
          changeCursor: expect.any(String),
        },
      },
    ]);
  });
});

describe('organization isolation', () => {
  it('hides every channel, message and user of another organization, for every operation', async () => {
    const acme = await organization();
    const globex = await organization();
    const channel = await createChannel(url, acme.admin, { name: 'general' });
    const message = await post(url, acme.admin, channel.id, 'acme only');
    // The same name is free in another organization.
    const theirs = await createChannel(url, globex.admin, { name: 'general' });

    const outsider = globex.admin;
    const attempts = [
      graphql(url, ChannelDocument, { id: channel.id }, outsider.headers),
      graphql(url, JoinChannelDocument, { id: channel.id }, outsider.headers),
      graphql(url, LeaveChannelDocument, { id: channel.id }, outsider.headers),
      graphql(
        url,
        AddChannelMemberDocument,
        { channelId: channel.id, userId: outsider.user.id },
        outsider.headers,
      ),
      graphql(
        url,
        AddChannelMemberDocument,
        { channelId: theirs.id, userId: acme.dev.user.id },
        outsider.headers,
      ),
      graphql(
        url,
        CreateChannelDocument,
        { input: { name: unique('c-'), memberIds: [acme.dev.user.id] } },
        outsider.headers,
      ),
      postMessage(url, outsider, { channelId: channel.id, body: 'hi' }),
      graphql(url, EditMessageDocument, { id: message.id, body: 'mine now' }, outsider.headers),
      graphql(url, DeleteMessageDocument, { id: message.id }, outsider.headers),
      graphql(url, ChannelMessagesDocument, { id: channel.id, first: 5 }, outsider.headers),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    }
    expect(await channelIds(outsider)).toEqual([theirs.id]);
    expect(await channelIds(acme.viewer)).toEqual([channel.id]);

    // Nothing changed on acme's side.
    const unchanged = await graphql(
      url,
      ChannelMessagesDocument,
      { id: channel.id, first: 5 },
      acme.dev.headers,
    );
    expect(unchanged.data!.channel!.messages.edges).toEqual([
      { cursor: message.cursor, node: { id: message.id, body: 'acme only' } },
    ]);
    const members = await graphql(url, ChannelDocument, { id: channel.id }, acme.admin.headers);
    expect(members.data!.channel!.memberCount).toBe(1);
  });

  it('resolves references only for callers who may see them, when asked directly', async () => {
    const acme = await organization();
    const globex = await organization();
    const secret = await createChannel(url, acme.admin, { kind: 'PRIVATE' });
    const message = await post(url, acme.admin, secret.id, 'classified');
    const query = `query ($reps: [_Any!]!) {
      _entities(representations: $reps) {
        ... on Channel { id name }
        ... on Message { id body }
      }
    }`;
    const reps = [
      { __typename: 'Channel', id: secret.id },
      { __typename: 'Message', id: message.id },
      { __typename: 'Channel', id: 'not-an-id' },
    ];
    const direct = stack.subgraphs.messages!.url;
    for (const headers of [{}, globex.admin.headers, acme.dev.headers]) {
      const response = await graphql(direct, query, { reps }, headers);
      expect(response.data).toEqual({ _entities: [null, null, null] });
    }
    const member = await graphql(direct, query, { reps }, acme.admin.headers);
    expect(member.data).toEqual({
      _entities: [
        { id: secret.id, name: secret.name },
        { id: message.id, body: 'classified' },
        null,
      ],
    });
  });
});
