/**
 * Liveness of graphql-ws connections at the gateway, kept by one sweep for all sockets rather
 * than timers per socket: a socket that never sends `connection_init` is closed with 4408 after
 * the wait, a peer that stops answering pings is terminated while one that answers stays, pings
 * are spread over the interval rather than sent to every socket at once, and closing the server
 * says "going away" (1001). Only the connection protocol runs here, so the server's sessions are
 * never reached.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import WebSocket from 'ws';
import { listen } from '../platform/listen';
import { createLogger } from '../platform/logger';
import { closeHttpServer } from '../platform/shutdown';
import { createSubscriptionServer, type SubscriptionServer } from '../gateway/subscriptions/server';
import type { SubscriptionSessions } from '../gateway/subscriptions/sessions';
import { eventually } from './support/subscriptions';

const KEEP_ALIVE_MS = 200;
const INIT_WAIT_MS = 400;

/** No test here subscribes: reaching the sessions would be a failure of the test itself. */
const sessionsNeverReached = new Proxy({} as SubscriptionSessions, {
  get: () => () => {
    throw new Error('These tests do not subscribe.');
  },
});

let httpServer: Server;
let subscriptions: SubscriptionServer;
let url: string;

beforeEach(async () => {
  httpServer = createServer();
  subscriptions = createSubscriptionServer({
    httpServer,
    sessions: sessionsNeverReached,
    credentials: null,
    apiKeys: null,
    trustedProxies: new Set(),
    logger: createLogger({ name: 'liveness-test', level: 'silent' }),
    keepAliveMs: KEEP_ALIVE_MS,
    connectionInitWaitMs: INIT_WAIT_MS,
    limits: { subscriptionsPerConnection: 1, connectionsPerCredential: 100, maxBufferedBytes: 1e6 },
    trustedDocuments: { mode: 'off', documents: new Map() } as never,
  });
  const address = await listen(httpServer, '127.0.0.1', 0);
  url = address.replace(/^http/, 'ws');
});
afterEach(async () => {
  await subscriptions.close();
  await closeHttpServer(httpServer);
});

/** A raw graphql-ws socket; `closed` resolves with the close code the client saw. */
async function connect(options: { autoPong?: boolean } = {}) {
  const socket = new WebSocket(url, 'graphql-transport-ws', options);
  const closed = once(socket, 'close').then(([code]) => code as number);
  await once(socket, 'open');
  return { socket, closed };
}

async function acknowledged(socket: WebSocket): Promise<void> {
  const ack = once(socket, 'message');
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  const [data] = (await ack) as [Buffer];
  expect(JSON.parse(String(data))).toEqual({ type: 'connection_ack' });
}

it('closes a socket that sends no connection_init with 4408, and keeps one that does', async () => {
  const silent = await connect();
  const initialised = await connect();
  await acknowledged(initialised.socket);
  expect(await silent.closed).toBe(4408);
  // Past its own deadline too, the socket that sent connection_init is still open.
  await new Promise((resolve) => setTimeout(resolve, INIT_WAIT_MS));
  expect(initialised.socket.readyState).toBe(WebSocket.OPEN);
  initialised.socket.close();
});

it('closes late sockets in turn as each one’s wait runs out', async () => {
  const first = await connect();
  await new Promise((resolve) => setTimeout(resolve, INIT_WAIT_MS / 2));
  const second = await connect();
  expect(await first.closed).toBe(4408);
  expect(second.socket.readyState).toBe(WebSocket.OPEN);
  expect(await second.closed).toBe(4408);
});

it('terminates a peer that stops answering pings and keeps one that answers', async () => {
  const dead = await connect({ autoPong: false });
  const alive = await connect();
  await acknowledged(dead.socket);
  await acknowledged(alive.socket);
  let pings = 0;
  alive.socket.on('ping', () => (pings += 1));
  // Terminated without a close frame: the client sees an abnormal closure.
  expect(await dead.closed).toBe(1006);
  await eventually(() => pings >= 3);
  expect(alive.socket.readyState).toBe(WebSocket.OPEN);
  expect(subscriptions.connections()).toBe(1);
  alive.socket.close();
});

it('spreads its pings over the interval, pinging each socket once per interval', async () => {
  // 200 ms in slices of 100: the sockets take turns, half pinged a slice after the other half.
  const clients = await Promise.all(Array.from({ length: 10 }, () => connect()));
  await Promise.all(clients.map(({ socket }) => acknowledged(socket)));
  const pings = clients.map(({ socket }) => {
    const times: number[] = [];
    socket.on('ping', () => times.push(performance.now()));
    return times;
  });
  await eventually(() => pings.every((times) => times.length >= 3));
  const firstPings = pings.map((times) => times[0]!);
  expect(Math.max(...firstPings) - Math.min(...firstPings)).toBeGreaterThanOrEqual(
    KEEP_ALIVE_MS / 4,
  );
  for (const times of pings)
    for (let i = 1; i < times.length; i++)
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(KEEP_ALIVE_MS / 2);
  expect(subscriptions.connections()).toBe(10);
  for (const { socket } of clients) socket.close();
});

it('closes every socket with 1001 (going away) when the server closes', async () => {
  const client = await connect();
  await acknowledged(client.socket);
  await subscriptions.close();
  expect(await client.closed).toBe(1001);
});
