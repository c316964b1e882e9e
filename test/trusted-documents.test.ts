/**
 * Trusted documents end to end: a client repository runs graphql-codegen with README's
 * `codegen.yml` (client preset, `persistedDocuments`), and gateways load the manifest it wrote
 * through TRUSTED_DOCUMENTS_PATH. Clients send documents by id in both conventions (`documentId`,
 * Apollo's `extensions.persistedQuery`), over POST, GET and graphql-ws; with
 * TRUSTED_DOCUMENTS=require nothing else runs.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadGatewayConfig } from '../gateway/env';
import type { Gateway } from '../gateway/server';
import { clientRepository, generate, generated, ROOT } from './support/codegen';
import {
  errorCodes,
  graphql,
  postJson as postAnything,
  type GraphQLResponse,
} from './support/graphql';
import { createChannel, post } from './support/messages';
import { PASSWORD, signUp, type SignedIn } from './support/seed';
import {
  startGateway,
  startStack,
  testGatewayConfig,
  type Running,
  type Stack,
} from './support/stack';
import { collect, wsClient } from './support/subscriptions';

let stack: Stack;
let dir: string;
let manifestPath: string;
/** Operation name → id, read from the generated documents' `__meta__.hash`. */
const ids: Record<string, string> = {};
let strict: Running<Gateway>;
let lenient: Running<Gateway>;
let admin: SignedIn;

/** A gateway of the stack's, configured from the environment as production configures it. */
async function gatewayWith(env: Record<string, string>): Promise<Running<Gateway>> {
  const { trustedDocuments } = loadGatewayConfig(env);
  return startGateway(testGatewayConfig({ ...stack.gatewayConfig, trustedDocuments }));
}

beforeAll(async () => {
  stack = await startStack();
  dir = await clientRepository(join(ROOT, 'schema', 'api.graphql'));
  await generate(dir);
  manifestPath = join(dir, 'src', '__generated__', 'persisted-documents.json');
  const types = await generated(dir, 'graphql.ts');
  for (const [, name, hash] of types.matchAll(
    /export const (\w+)Document = \{"__meta__":\{"hash":"(\w+)"\}/g,
  ))
    ids[name!] = hash!;
  strict = await gatewayWith({
    TRUSTED_DOCUMENTS: 'require',
    TRUSTED_DOCUMENTS_PATH: manifestPath,
  });
  lenient = await gatewayWith({ TRUSTED_DOCUMENTS_PATH: manifestPath });
  admin = await signUp(stack.gatewayUrl);
}, 120_000);
afterAll(async () => {
  await strict?.stop();
  await lenient?.stop();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const answer = await postAnything(url, body, headers);
  return { ...answer, cacheControl: answer.response.headers.get('cache-control') };
}

/** Status and body (re-serialized JSON, to compare with GET answers) of a POST. */
async function raw(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...admin.headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.stringify(JSON.parse(text)) };
}

/** A plain GET, as a cache or `curl` sends it: no content type, no preflight header. */
async function get(url: string, params: Record<string, unknown>, headers = admin.headers) {
  const search = new URLSearchParams(
    Object.entries(params).map(([name, value]): [string, string] => [
      name,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
  const response = await fetch(`${url}?${search}`, { headers });
  return {
    status: response.status,
    ...((await response.json()) as Omit<GraphQLResponse, 'status'>),
  };
}

const apq = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });
const UNKNOWN = '0'.repeat(64);

describe('the manifest of a real codegen run', () => {
  it('holds the example operations, by the id each generated document carries', async () => {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, string>;
    for (const name of ['ChatMessageAdded', 'Dashboard', 'Login']) expect(ids[name]).toBeDefined();
    expect(Object.keys(manifest).sort()).toEqual(Object.values(ids).sort());
    // The committed example client's manifest is the same one (npm run codegen:check keeps it).
    expect(manifest).toEqual(
      JSON.parse(
        await readFile(join(ROOT, 'examples', '__generated__', 'persisted-documents.json'), 'utf8'),
      ),
    );
  });
});

describe('TRUSTED_DOCUMENTS=require', () => {
  it('runs documents sent by documentId and by Apollo sha256Hash, over POST', async () => {
    const login = await postJson(strict.url, {
      documentId: ids.Login,
      variables: { input: { usernameOrEmail: admin.user.username, password: PASSWORD } },
    });
    expect(login.errors).toBeUndefined();
    expect(login.data?.login).toMatchObject({ user: { id: admin.user.id } });
    for (const body of [
      { documentId: ids.Dashboard, variables: {} },
      { extensions: apq(ids.Dashboard!), variables: {} },
    ]) {
      // Twice: the second request takes the gateway's hot path, with the same answer.
      for (let i = 0; i < 2; i++) {
        const response = await postJson(strict.url, body, admin.headers);
        expect(response.errors).toBeUndefined();
        expect(response.data).toEqual({
          deployments: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
        });
      }
    }
  });

  it('runs a query sent by id with a plain GET, as a cache would', async () => {
    const channel = await createChannel(stack.gatewayUrl, admin);
    for (const params of [
      { documentId: ids.ChatChannel, variables: { id: channel.id } },
      { extensions: apq(ids.ChatChannel!), variables: { id: channel.id } },
    ]) {
      const response = await get(strict.url, params);
      expect(response.status).toBe(200);
      expect(response.data?.channel).toMatchObject({ id: channel.id, name: channel.name });
    }
  });

  it('refuses a GET naming its document twice, as Apollo refuses a second `query`', async () => {
    const channel = await createChannel(stack.gatewayUrl, admin);
    const variables = encodeURIComponent(JSON.stringify({ id: channel.id }));
    for (const search of [
      `documentId=${ids.ChatChannel}&documentId=${ids.Dashboard}`,
      `documentId=${ids.ChatChannel}&documentId=${ids.ChatChannel}`,
    ]) {
      const response = await fetch(`${strict.url}?${search}&variables=${variables}`, {
        headers: admin.headers,
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        errors: [
          {
            message: "The 'documentId' search parameter may only be specified once.",
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      });
    }
  });

  it('never runs a mutation sent with GET, even a trusted one', async () => {
    const before = await graphql(stack.gatewayUrl, '{ me { id } }', {}, admin.headers);
    const response = await get(
      strict.url,
      {
        documentId: ids.Login,
        variables: { input: { usernameOrEmail: admin.user.username, password: PASSWORD } },
      },
      {},
    );
    expect(response.status).toBe(405);
    expect(response.data).toBeUndefined();
    expect(before.data).toEqual({ me: { id: admin.user.id } });
  });

  it('refuses free text, unknown ids and APQ registration with documented codes', async () => {
    const text = await postJson(strict.url, { query: '{ me { id } }' }, admin.headers);
    expect(text.status).toBe(400);
    expect(errorCodes(text)).toEqual(['PERSISTED_QUERY_ID_REQUIRED']);
    const register = await postJson(strict.url, {
      query: '{ me { id } }',
      extensions: apq(UNKNOWN),
    });
    expect(errorCodes(register)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    for (const body of [{ documentId: UNKNOWN }, { extensions: apq(UNKNOWN) }]) {
      const unknown = await postJson(strict.url, body);
      // As Apollo Server answers an unknown APQ hash: 200, never cached, clients' retry code.
      expect(unknown.status).toBe(200);
      expect(unknown.cacheControl).toBe('private, no-cache, must-revalidate');
      expect(unknown.errors).toEqual([
        { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
      ]);
    }
    expect(errorCodes(await get(strict.url, { query: '{ me { id } }' }))).toEqual([
      'PERSISTED_QUERY_ID_REQUIRED',
    ]);
    const mismatch = await postJson(strict.url, {
      query: '{ me { id } }',
      extensions: apq(ids.Dashboard!),
    });
    expect(errorCodes(mismatch)).toEqual(['BAD_USER_INPUT']);
  });

  it('serves no GraphiQL and refuses introspection the manifest does not hold', async () => {
    const page = await fetch(strict.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).not.toContain('text/html');
    await page.body?.cancel();
    expect((await fetch(new URL('/graphiql/graphiql.js', strict.url))).status).toBe(404);
    const introspection = await postJson(strict.url, { query: '{ __schema { types { name } } }' });
    expect(errorCodes(introspection)).toEqual(['PERSISTED_QUERY_ID_REQUIRED']);
  });

  it('delivers a federated subscription sent by id over graphql-ws, and refuses free text', async () => {
    const channel = await createChannel(stack.gatewayUrl, admin);
    const client = wsClient(strict.url, { authorization: admin.headers.authorization });
    try {
      const freeText = collect(
        client,
        'subscription ($channelId: ID!) { messageAdded(channelId: $channelId) { id } }',
        { channelId: channel.id },
      );
      await freeText.ended();
      // Refused before it starts: graphql-ws's `error` message, with the code.
      expect(freeText.error).toEqual([
        expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' } }),
      ]);
      // graphql-ws requires a `query` string: an empty one, the id beside it (Hive's convention).
      // Resuming after a first message replays the second: no race with the subscription.
      const first = await post(stack.gatewayUrl, admin, channel.id, 'before');
      await post(stack.gatewayUrl, admin, channel.id, 'trusted hello');
      const subscribed = collect(
        client,
        '',
        { channelId: channel.id, after: first.cursor },
        { documentId: ids.ChatMessageAdded },
      );
      const [event] = await subscribed.waitFor(1);
      expect(event?.errors).toBeUndefined();
      expect(event?.data?.messageAdded).toMatchObject({
        body: 'trusted hello',
        author: { id: admin.user.id, username: admin.user.username },
      });
      subscribed.unsubscribe();
    } finally {
      await client.dispose();
    }
  });
});

describe('TRUSTED_DOCUMENTS=allow (the default)', () => {
  it('runs documents by id and free text alike', async () => {
    const byId = await postJson(lenient.url, { documentId: ids.Dashboard }, admin.headers);
    expect(byId.errors).toBeUndefined();
    expect(await graphql(lenient.url, '{ me { id } }', {}, admin.headers)).toMatchObject({
      data: { me: { id: admin.user.id } },
    });
    // An unknown documentId is refused; an unknown Apollo hash is left to Apollo's APQ.
    expect(errorCodes(await postJson(lenient.url, { documentId: UNKNOWN }))).toEqual([
      'PERSISTED_QUERY_NOT_FOUND',
    ]);
  });

  it('answers a document sent by id exactly as the same document sent as text', async () => {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, string>;
    const channel = await createChannel(stack.gatewayUrl, admin);
    await post(stack.gatewayUrl, admin, channel.id, 'differential');
    const cases: [string, Record<string, unknown>][] = [
      ['Me', {}],
      ['Dashboard', {}],
      ['ChatChannel', { id: channel.id }],
      ['ChatChannel', { id: '00000000-0000-4000-8000-000000000000' }],
      ['DeploymentLog', { id: 'not-an-id' }],
    ];
    for (const [name, variables] of cases) {
      const id = ids[name]!;
      const answers = [];
      // Three times each: the first request goes through Apollo's pipeline, later ones the hot path.
      for (let i = 0; i < 3; i++) {
        answers.push(
          await raw(lenient.url, { query: manifest[id], variables }),
          await raw(lenient.url, { documentId: id, variables }),
          await raw(lenient.url, { extensions: apq(id), variables }),
          await get(lenient.url, { documentId: id, variables }).then(({ status, ...body }) => ({
            status,
            body: JSON.stringify(body),
          })),
        );
      }
      for (const answer of answers) expect({ name, ...answer }).toEqual({ name, ...answers[0] });
    }
  });

  it('answers a plain GET of an unknown id alike, as documentId or as an Apollo hash', async () => {
    const answers = [
      await get(lenient.url, { documentId: UNKNOWN }, {}),
      await get(lenient.url, { extensions: apq(UNKNOWN) }, {}),
    ];
    for (const answer of answers)
      expect({ status: answer.status, codes: errorCodes(answer) }).toEqual({
        status: 200,
        codes: ['PERSISTED_QUERY_NOT_FOUND'],
      });
  });

  it('keeps CSRF prevention for free text sent with GET', async () => {
    const response = await get(lenient.url, { query: '{ me { id } }' });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toContain('Cross-Site Request Forgery');
  });
});

describe('configuration', () => {
  it('refuses to start with a bad manifest, or require without one', async () => {
    const bad = join(dir, 'bad-manifest.json');
    await writeFile(bad, JSON.stringify({ abc: 'query {' }));
    expect(() => loadGatewayConfig({ TRUSTED_DOCUMENTS_PATH: `${manifestPath},${bad}` })).toThrow(
      `TRUSTED_DOCUMENTS_PATH: ${bad}: Syntax Error`,
    );
    expect(() => loadGatewayConfig({ TRUSTED_DOCUMENTS_PATH: join(dir, 'missing.json') })).toThrow(
      /TRUSTED_DOCUMENTS_PATH: .*missing\.json: ENOENT/,
    );
    expect(() => loadGatewayConfig({ TRUSTED_DOCUMENTS: 'require' })).toThrow(
      'TRUSTED_DOCUMENTS: "require" needs TRUSTED_DOCUMENTS_PATH',
    );
  });
});
