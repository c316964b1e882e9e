/**
 * SIGTERM to the built gateway and to a built subgraph, as production starts them (separate
 * processes, NODE_ENV=production, on a private PostgreSQL and Redis), while requests are in
 * flight: the process stops accepting, ends every subscription as documented (graphql-ws 1001,
 * SSE `complete`, multipart's closing boundary), answers what it had begun to receive, and exits
 * 0 (README "Running in production").
 */
import { request } from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startSystem, type System } from './faults/system';
import type { Service } from './faults/services';
import { MULTIPART_ACCEPT, SSE_ACCEPT } from './support/http-subscriptions';
import { createChannel, post } from './support/messages';
import { signUp, type SignedIn } from './support/seed';

let system: System;
let admin: SignedIn;
let channelId: string;

beforeAll(async () => {
  system = await startSystem(['users', 'messages']);
  admin = await signUp(system.gateways[1]!.url);
  channelId = (await createChannel(system.gateways[1]!.url, admin)).id;
}, 180_000);
afterAll(() => system?.stop(false), 60_000);

const SUBSCRIPTION =
  'subscription ($c: ID!, $after: String) { messageAdded(channelId: $c, after: $after) { id cursor body } }';

/**
 * A POST whose body is sent in two halves, the second on `finish()`: a request the server has
 * begun to receive. `text()` is what has arrived of the answer so far.
 */
function halfSent(url: string, headers: Record<string, string>, body: string) {
  const target = new URL(url);
  let text = '';
  let ended = false;
  const req = request(
    {
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
    },
    (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => (ended = true));
    },
  );
  const answered = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => res.on('end', () => resolve(res.statusCode ?? 0)));
    req.on('error', reject);
  });
  answered.catch(() => undefined);
  req.write(body.slice(0, body.length >> 1));
  return {
    finish: () => req.end(body.slice(body.length >> 1)),
    answered: answered.then((status) => ({ status, text })),
    text: () => text,
    ended: () => ended,
  };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return check();
}

async function exited(service: Service, ms: number): Promise<string | undefined> {
  await until(() => service.unexpectedExits.length > 0, ms);
  return service.unexpectedExits[0];
}

it('drains the gateway: in-flight requests answered, every transport ended as documented, exit 0', async () => {
  const gateway = system.gateways[0]!;
  const { url } = gateway;
  const first = await post(url, admin, channelId, 'before');
  const variables = { c: channelId, after: first.cursor };

  let closeCode: number | undefined;
  const received: unknown[] = [];
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: admin.headers.authorization },
    retryAttempts: 0,
    on: { closed: (event) => (closeCode = (event as { code: number }).code) },
  });
  client.subscribe(
    { query: SUBSCRIPTION, variables },
    { next: (result) => received.push(result), error: () => undefined, complete: () => undefined },
  );
  const body = JSON.stringify({ query: SUBSCRIPTION, variables });
  const sse = halfSent(url, { ...admin.headers, accept: SSE_ACCEPT }, body);
  const multipart = halfSent(url, { ...admin.headers, accept: MULTIPART_ACCEPT }, body);
  sse.finish();
  multipart.finish();
  await post(url, admin, channelId, 'live');
  const live = () => received.length > 0 && sse.text().includes('live');
  expect(await until(() => live() && multipart.text().includes('live'), 15_000)).toBe(true);

  // A query and a subscription whose requests are still arriving when the signal comes.
  const query = halfSent(url, admin.headers, JSON.stringify({ query: '{ me { username } }' }));
  const lateSse = halfSent(url, { ...admin.headers, accept: SSE_ACCEPT }, body);
  await new Promise((r) => setTimeout(r, 300));
  process.kill(gateway.pid!, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  query.finish();
  lateSse.finish();

  const answer = await query.answered.catch((error: Error) => ({ status: 0, text: `${error}` }));
  expect(await exited(gateway, 5_000)).toBe('gateway-1 exited by itself (code 0)');
  void client.dispose();
  expect({
    query: answer,
    closeCode,
    sse: sse.ended() && sse.text().endsWith('event: complete\ndata:\n\n'),
    multipart: multipart.ended() && multipart.text().endsWith('--graphql--\r\n'),
    lateSse: lateSse.ended() && lateSse.text().endsWith('event: complete\ndata:\n\n'),
  }).toEqual({
    query: { status: 200, text: expect.stringContaining(admin.user.username) },
    closeCode: 1001,
    sse: true,
    multipart: true,
    lateSse: true,
  });
}, 120_000);

it('drains a subgraph: a request it had begun to receive is answered, exit 0', async () => {
  const messages = system.services.find((service) => service.spec.name === 'messages')!;
  const query = halfSent(
    messages.url,
    admin.headers,
    JSON.stringify({ query: `{ channel(id: "${channelId}") { id name } }` }),
  );
  await new Promise((r) => setTimeout(r, 300));
  process.kill(messages.pid!, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  query.finish();
  const answer = await query.answered.catch((error: Error) => ({ status: 0, text: `${error}` }));
  expect(answer).toEqual({ status: 200, text: expect.stringContaining(channelId) });
  expect(await exited(messages, 20_000)).toBe('messages exited by itself (code 0)');
}, 120_000);
