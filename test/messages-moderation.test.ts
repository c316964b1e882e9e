/**
 * Moderation of chat messages: the content rules as pure logic, then every rule end to end
 * through the gateway with its reason code, flooding counted across replicas in Redis, and
 * bodies stored exactly as sent.
 */
import { LOCAL_SUBGRAPHS, type SubgraphHandle } from '../dev/subgraphs';
import { listen } from '../platform/listen';
import { closeHttpServer } from '../platform/shutdown';
import { MODERATION_DEFAULTS, type ModerationSettings } from '../subgraphs/messages/env';
import { createContentRules, foldText } from '../subgraphs/messages/services/moderation';
import { errorCodes, graphql, type GraphQLResponse } from './support/graphql';
import { ChannelMessagesDocument, EditMessageDocument } from './__generated__/graphql';
import { createChannel, post, postMessage } from './support/messages';
import { addUser, signUp, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';

const SETTINGS: ModerationSettings = {
  ...MODERATION_DEFAULTS,
  blockedWords: ['darn', 'Mot Interdit'],
  maxLinks: 2,
  floodMaxRepeats: 2,
  floodWindowSeconds: 60,
};

const reasonOf = (response: GraphQLResponse<unknown>) => ({
  codes: errorCodes(response),
  reason: response.errors?.[0]?.extensions?.reason,
});

describe('content rules', () => {
  const rules = createContentRules(SETTINGS);
  const reason = (body: string) => {
    try {
      rules.check(body);
      return null;
    } catch (error) {
      return (error as { extensions: { reason: string } }).extensions.reason;
    }
  };

  it('refuses empty and invisible-only bodies', () => {
    const blank = ['', ' ', '\n\t ', '\u00a0\u3000', '\u200b\u200d', '\u202e '];
    // Hangul fillers, the blank braille pattern, combining marks with nothing to combine with.
    blank.push('\u3164', '\u115f\u1160', '\uffa0', '\u2800\u2800', '\u0301\u0308', ' \u20dd');
    for (const body of blank) expect(reason(body)).toBe('EMPTY');
    for (const body of ['.', 'e\u0301', '\u2801', '한']) expect(reason(body)).toBeNull();
  });

  it('counts length in characters (code points), not UTF-16 units', () => {
    expect(reason('a'.repeat(4000))).toBeNull();
    expect(reason('a'.repeat(4001))).toBe('TOO_LONG');
    expect(reason('😀'.repeat(4000))).toBeNull();
    expect(reason('😀'.repeat(4001))).toBe('TOO_LONG');
  });

  it('matches blocked words whole, in any case, with or without accents', () => {
    for (const body of [
      'darn',
      'Well, DARN it!',
      'dárn',
      'ＤＡＲＮ', // full-width letters
      'd\u200barn', // a zero-width space inside
      'this is a MOT  INTERDÎT here',
    ]) {
      expect(reason(body)).toBe('BLOCKED_WORD');
    }
    for (const body of ['darning socks', 'mot', 'interdit mot', 'undarn']) {
      expect(reason(body)).toBeNull();
    }
  });

  it('refuses more links than allowed', () => {
    expect(reason('see https://a.example and http://b.example/x?y=1')).toBeNull();
    expect(reason('https://a.example www.b.example HTTPS://c.example')).toBe('LINK_SPAM');
  });

  it('folds text for comparison only', () => {
    expect(foldText('Ünïcödé ＦＵＬＬ')).toBe('unicode full');
  });
});

describe('moderation through the gateway', () => {
  let stack: Stack;
  let url: string;
  let admin: SignedIn;
  let dev: SignedIn;
  let channelId: string;
  let replica: { handle: SubgraphHandle; url: string } | undefined;

  beforeAll(async () => {
    stack = await startStack({
      subgraphs: ['users', 'messages'],
      config: { messages: { ...SETTINGS } },
    });
    url = stack.gatewayUrl;
    admin = await signUp(url);
    dev = await addUser(url, admin, 'DEVELOPER');
    channelId = (await createChannel(url, admin, { memberIds: [dev.user.id] })).id;
  });
  afterAll(async () => {
    if (replica) {
      replica.handle.httpServer.closeAllConnections();
      await closeHttpServer(replica.handle.httpServer);
      await replica.handle.close();
    }
    await stack?.stop();
  });

  const send = (body: string, who: SignedIn = admin) => postMessage(url, who, { channelId, body });

  it('refuses each rule with its reason code, and stores nothing', async () => {
    expect(reasonOf(await send('   '))).toEqual({ codes: ['CONTENT_REJECTED'], reason: 'EMPTY' });
    expect(reasonOf(await send('x'.repeat(4001)))).toEqual({
      codes: ['CONTENT_REJECTED'],
      reason: 'TOO_LONG',
    });
    expect((await send('x'.repeat(4001))).errors?.[0]?.extensions?.maxLength).toBe(4000);
    expect(reasonOf(await send('Oh DÁRN.'))).toEqual({
      codes: ['CONTENT_REJECTED'],
      reason: 'BLOCKED_WORD',
    });
    expect(reasonOf(await send('https://a.example https://b.example https://c.example'))).toEqual({
      codes: ['CONTENT_REJECTED'],
      reason: 'LINK_SPAM',
    });
    const page = await graphql(
      url,
      ChannelMessagesDocument,
      { id: channelId, first: 10 },
      admin.headers,
    );
    expect(page.data!.channel!.messages.edges).toEqual([]);
  });

  it('accepts 4,000 characters and refuses 4,001', async () => {
    const longest = 'y'.repeat(4000);
    const accepted = await send(longest);
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data!.postMessage!.body).toBe(longest);
    expect(reasonOf(await send(`${longest}y`)).reason).toBe('TOO_LONG');
  });

  it('moderates edits like new messages', async () => {
    const message = await post(url, admin, channelId, 'all fine');
    const edited = await graphql(
      url,
      EditMessageDocument,
      { id: message.id, body: 'darn' },
      admin.headers,
    );
    expect(reasonOf(edited)).toEqual({ codes: ['CONTENT_REJECTED'], reason: 'BLOCKED_WORD' });
  });

  it('refuses flooding per author, across replicas, with a retry delay', async () => {
    // A second replica of the messages subgraph, sharing PostgreSQL and Redis with the first.
    const messages = LOCAL_SUBGRAPHS.find((subgraph) => subgraph.name === 'messages')!;
    const handle = await messages.create(stack.shared, { ...SETTINGS });
    replica = { handle, url: await listen(handle.httpServer, '127.0.0.1', 0) };

    expect((await send('Deploy done')).errors).toBeUndefined();
    // Case and spacing changes are the same body.
    expect((await send('deploy   DONE')).errors).toBeUndefined();
    // The third through the other replica: the count is shared.
    const third = await graphql(
      replica.url,
      `
        mutation ($input: PostMessageInput!) {
          postMessage(input: $input) {
            id
          }
        }
      `,
      { input: { channelId, body: 'Deploy done' } },
      admin.headers,
    );
    expect(reasonOf(third)).toEqual({ codes: ['CONTENT_REJECTED'], reason: 'FLOODING' });
    expect(third.errors?.[0]?.extensions?.retryAfter).toEqual(expect.any(Number));
    expect(third.errors![0]!.extensions!.retryAfter).toBeGreaterThan(0);
    expect(third.errors![0]!.extensions!.retryAfter).toBeLessThanOrEqual(60);

    // Another author may say the same; a different body is fine.
    expect((await send('Deploy done', dev)).errors).toBeUndefined();
    expect((await send('Deploy really done')).errors).toBeUndefined();
  });

  it('does not count retries of one message as flooding', async () => {
    const input = { channelId, body: 'retry me', clientMessageId: 'retry-1' };
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => postMessage(url, admin, input)),
    );
    for (const response of responses) expect(response.errors).toBeUndefined();
    expect(new Set(responses.map((response) => response.data!.postMessage!.id)).size).toBe(1);
    // Once stored, a retry still returns it, even past the flood limit.
    expect((await postMessage(url, admin, input)).errors).toBeUndefined();
    expect((await send('retry me')).errors).toBeUndefined();
    expect(reasonOf(await send('retry me')).reason).toBe('FLOODING');
  });

  /** How many messages of the channel have this body. */
  const stored = async (body: string) => {
    const page = await graphql(
      url,
      ChannelMessagesDocument,
      { id: channelId, last: 500 },
      admin.headers,
    );
    return page.data!.channel!.messages.edges.filter((edge) => edge.node.body === body).length;
  };

  it('stores no more copies than the limit when retries race other postings of the body', async () => {
    // Retries of one message racing fresh postings of the same body, past the limit: a retry
    // refused while the count is over must not uncount the original it retries.
    for (let round = 0; round < 4; round++) {
      const body = `crowded ${round}`;
      const original = { channelId, body, clientMessageId: `crowded-${round}` };
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => [
          postMessage(url, admin, original),
          postMessage(url, admin, { ...original, clientMessageId: `crowded-${round}-${i}` }),
        ]).flat(),
      );
      expect(reasonOf(await send(body)).reason).toBe('FLOODING');
      expect(await stored(body)).toBe(SETTINGS.floodMaxRepeats);
      // Once stored (other postings may have taken every place first), the original is returned
      // to a retry, never refused.
      const originalStored = answers.some((answer, i) => i % 2 === 0 && !answer.errors);
      if (originalStored) expect((await postMessage(url, admin, original)).errors).toBeUndefined();
    }
  });

  it('does not count a body that lost its race to be stored under a retried clientMessageId', async () => {
    for (let round = 0; round < 4; round++) {
      const clientMessageId = `two-bodies-${round}`;
      const [first, second] = await Promise.all(
        [`first ${round}`, `second ${round}`].map((body) =>
          postMessage(url, admin, { channelId, body, clientMessageId }),
        ),
      );
      expect(first!.data!.postMessage!.id).toBe(second!.data!.postMessage!.id);
      // The body not stored was the retry's: it counts for nothing, its postings are all allowed.
      const other =
        first!.data!.postMessage!.body === `first ${round}` ? `second ${round}` : `first ${round}`;
      for (let i = 0; i < SETTINGS.floodMaxRepeats; i++)
        expect((await send(other)).errors).toBeUndefined();
    }
  });

  it('stores any Unicode exactly as sent, byte for byte', async () => {
    const bodies = [
      '👩🏽‍💻 shipped 🚀🇫🇷 👨‍👩‍👧‍👦',
      'שלום עולם — مرحبا بالعالم',
      '\u200fRTL mark\u200e and ‮override‬',
      'e\u0301 (decomposed) vs é (composed)',
      '  leading and trailing spaces  \n',
      'placeholders? ?? :name $1 ${x} %s',
      'tab\there, quote \' " \\ backslash, nul-free ⟨math⟩ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    ];
    for (const body of bodies) {
      const stored = await send(body);
      expect(stored.errors).toBeUndefined();
      const page = await graphql(
        url,
        ChannelMessagesDocument,
        { id: channelId, last: 1 },
        admin.headers,
      );
      const read = page.data!.channel!.messages.edges[0]!.node.body as string;
      expect(Buffer.from(read, 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
      expect(stored.data!.postMessage!.body).toBe(body);
    }
  });

  it('refuses text the database could not store as sent', async () => {
    for (const body of ['a\u0000b', 'lone \ud800 surrogate']) {
      const response = await send(body);
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'body',
      });
    }
  });
});
