/**
 * Paging through a channel's messages: forward and backward, in pages of different sizes, while
 * others post; and the SQL cost of a page with its authors and of a list of channels.
 */
import { errorCodes, graphql } from './support/graphql';
import { ChannelMessagesDocument } from './__generated__/graphql';
import { createChannel, join, pageAll, post } from './support/messages';
import { addUser, signUp, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let url: string;
let admin: SignedIn;
let reader: SignedIn;
let poster: SignedIn;
let channelId: string;
/** The 250 messages posted in `beforeAll`, in posting order. */
const posted: string[] = [];

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users', 'messages'] });
  url = stack.gatewayUrl;
  admin = await signUp(url);
  reader = await addUser(url, admin, 'VIEWER');
  poster = await addUser(url, admin, 'DEVELOPER');
  channelId = (await createChannel(url, admin, { memberIds: [poster.user.id] })).id;
  for (let i = 1; i <= 250; i++)
    posted.push((await post(url, admin, channelId, `message ${i}`)).id);
});
afterAll(() => stack?.stop());

/** Every message of the channel now, oldest first. */
const everything = async () => (await pageAll(url, reader, channelId, 'forward', 500)).ids;

describe('paging through 250 messages', () => {
  it.each([20, 7])('forward in pages of %i: all of them, in order, once', async (size) => {
    const { ids, pages } = await pageAll(url, reader, channelId, 'forward', size);
    expect(ids).toEqual(posted);
    expect(pages).toBe(Math.ceil(250 / size));
  });

  it.each([20, 7])('backward in pages of %i: all of them, in order, once', async (size) => {
    const { ids, pages } = await pageAll(url, reader, channelId, 'backward', size);
    expect(ids).toEqual(posted);
    expect(pages).toBe(Math.ceil(250 / size));
  });

  it('returns oldest-first pages with page info in both directions', async () => {
    const first = await graphql(
      url,
      ChannelMessagesDocument,
      { id: channelId, first: 2 },
      reader.headers,
    );
    const { edges, pageInfo } = first.data!.channel!.messages;
    expect(edges.map((edge) => edge.node.body)).toEqual(['message 1', 'message 2']);
    expect(pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: edges[0]!.cursor,
      endCursor: edges[1]!.cursor,
    });
    const newest = await graphql(
      url,
      ChannelMessagesDocument,
      { id: channelId, last: 2 },
      reader.headers,
    );
    expect(newest.data!.channel!.messages.edges.map((edge) => edge.node.body)).toEqual([
      'message 249',
      'message 250',
    ]);
    expect(newest.data!.channel!.messages.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: true,
    });
    // A window between two cursors.
    const between = await graphql(
      url,
      ChannelMessagesDocument,
      { id: channelId, first: 10, after: edges[0]!.cursor, before: edges[1]!.cursor },
      reader.headers,
    );
    expect(between.data!.channel!.messages.edges).toEqual([]);
  });

  it('refuses bad paging arguments', async () => {
    const cases = [
      { first: 5, last: 5 },
      { first: 501 },
      { last: -1 },
      { first: 5, after: 'garbage' },
      { last: 5, before: Buffer.from('["v1",-3]').toString('base64url') },
      { first: 5, after: Buffer.from('["v1","x","y"]').toString('base64url') },
    ];
    for (const variables of cases) {
      const response = await graphql(
        url,
        ChannelMessagesDocument,
        { id: channelId, ...variables },
        reader.headers,
      );
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    }
  });
});

describe('paging while another client posts', () => {
  it('forward: never skips or repeats, and resumes where it stopped', async () => {
    const start = await everything();
    let posting = true;
    const concurrent: string[] = [];
    const writer = (async () => {
      for (let i = 0; posting && i < 200; i++) {
        concurrent.push((await post(url, poster, channelId, `concurrent ${i}`)).id);
      }
    })();
    const { ids, lastCursor } = await pageAll(url, reader, channelId, 'forward', 7);
    posting = false;
    await writer;
    expect(concurrent.length).toBeGreaterThan(0);

    // Everything that existed before, in order, then whatever was committed while paging.
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, start.length)).toEqual(start);
    const final = await everything();
    expect(final.slice(0, ids.length)).toEqual(ids);
    // Resuming from the last cursor yields exactly the rest: nothing was skipped.
    const rest = await pageAll(url, reader, channelId, 'forward', 20, lastCursor);
    expect([...ids, ...rest.ids]).toEqual(final);
    expect(final).toEqual([...start, ...concurrent]);
  });

  it('backward: pages what existed when it started, exactly once', async () => {
    let posting = true;
    const writer = (async () => {
      for (let i = 0; posting && i < 200; i++) await post(url, poster, channelId, `later ${i}`);
    })();
    // Let the writer get going, so that posts land between the pages.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { ids } = await pageAll(url, reader, channelId, 'backward', 20);
    posting = false;
    await writer;
    expect(new Set(ids).size).toBe(ids.length);
    const final = await everything();
    expect(final.slice(0, ids.length)).toEqual(ids);
    expect(ids.slice(0, 250)).toEqual(posted);
  });
});

describe('SQL statements', () => {
  it('resolves the authors of a page of 100 messages with a bounded number of statements', async () => {
    const channel = await createChannel(url, admin);
    const authors = [admin, await addUser(url, admin, 'DEVELOPER'), poster];
    for (const author of authors.slice(1)) await join(url, author, channel.id);
    for (let i = 0; i < 100; i++) await post(url, authors[i % 3]!, channel.id, `line ${i}`);

    const users = stack.subgraphs.users!.service;
    const messages = stack.subgraphs.messages!.service;
    const [usersBefore, messagesBefore] = [users.statementCount(), messages.statementCount()];
    const response = await graphql(
      url,
      `
        query ($id: ID!) {
          channel(id: $id) {
            messages(last: 100) {
              edges {
                node {
                  body
                  author {
                    id
                    username
                    displayName
                  }
                }
              }
            }
          }
        }
      `,
      { id: channel.id },
      reader.headers,
    );
    const usersStatements = users.statementCount() - usersBefore;
    const messagesStatements = messages.statementCount() - messagesBefore;

    expect(response.errors).toBeUndefined();
    const edges = response.data!.channel!.messages.edges;
    expect(edges).toHaveLength(100);
    edges.forEach((edge: { node: unknown }, i: number) => {
      const author = authors[i % 3]!.user;
      expect(edge.node).toEqual({
        body: `line ${i}`,
        author: { id: author.id, username: author.username, displayName: author.username },
      });
    });
    // The channel, then one page; and one batch of users.
    expect(messagesStatements).toBe(2);
    expect(usersStatements).toBe(1);
  });

  it('resolves relation fields of a list of channels with one statement per level', async () => {
    const owner = await signUp(url);
    for (let i = 0; i < 8; i++) {
      const channel = await createChannel(url, owner, { kind: i % 2 ? 'PRIVATE' : 'PUBLIC' });
      await post(url, owner, channel.id, `hello ${i}`);
      await post(url, owner, channel.id, `bye ${i}`);
    }
    const messages = stack.subgraphs.messages!.service;
    const users = stack.subgraphs.users!.service;
    const [usersBefore, messagesBefore] = [users.statementCount(), messages.statementCount()];
    const response = await graphql(
      url,
      `
        {
          channels(first: 50) {
            edges {
              node {
                name
                memberCount
                viewerIsMember
                createdBy {
                  username
                }
                members(first: 5) {
                  edges {
                    node {
                      username
                    }
                  }
                }
                messages(last: 1) {
                  edges {
                    node {
                      body
                      author {
                        username
                      }
                      channel {
                        id
                      }
                    }
                  }
                }
              }
            }
          }
        }
      `,
      {},
      owner.headers,
    );
    const messagesStatements = messages.statementCount() - messagesBefore;
    const usersStatements = users.statementCount() - usersBefore;
    expect(response.errors).toBeUndefined();
    const nodes = response.data!.channels.edges.map((edge: { node: any }) => edge.node);
    expect(nodes).toHaveLength(8);
    for (const node of nodes) {
      expect(node).toMatchObject({
        memberCount: 1,
        viewerIsMember: true,
        createdBy: { username: owner.user.username },
        members: { edges: [{ node: { username: owner.user.username } }] },
        messages: {
          edges: [
            {
              node: {
                body: expect.stringMatching(/^bye /),
                author: { username: owner.user.username },
              },
            },
          ],
        },
      });
    }
    // channels; then memberCount, viewerIsMember, members and messages pages (one each); the
    // messages' channels are already known.
    expect(messagesStatements).toBe(5);
    // The gateway fetches the three User paths (createdBy, members, authors) separately, one
    // batch each, however many channels there are.
    expect(usersStatements).toBe(3);
  });
});
