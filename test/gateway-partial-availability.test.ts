/**
 * Partial availability, with the system as separate processes (built dist/, private PostgreSQL
 * and Redis): while the messages subgraph is killed under a steady load of queries, queries that
 * do not need it answer in full, those that do answer the rest with SUBGRAPH_UNAVAILABLE naming
 * it; its circuit breaker opens (the metric says so) and fails fetches fast, probes once its open
 * period is over, and closes after the restart. /readyz stays 200 while any subgraph answers and
 * is 503 when none does.
 *
 * Needs the built services (`npm run build`).
 */
import { sleep, until } from './faults/infra';
import { startSystem, type System } from './faults/system';
import { MeAndChannelDocument, MeUsernameDocument } from './__generated__/graphql';
import { graphql, type GraphQLResponse } from './support/graphql';
import { createChannel } from './support/messages';
import { signUp, type SignedIn } from './support/seed';

/** Short breaker periods, so the test sees it open, probe and close within seconds. */
const OPEN_MS = 1_500;

let system: System;
let admin: SignedIn;
let channelId: string;

const services = (name: string) => system.services.find((s) => s.spec.name === name)!;
const gatewayUrl = () => system.gateways[0]!.url;
const origin = () => new URL(gatewayUrl()).origin;

beforeAll(async () => {
  system = await startSystem(['users', 'messages'], {
    SUBGRAPH_BREAKER_FAILURES: '5',
    SUBGRAPH_BREAKER_WINDOW_MS: '30000',
    SUBGRAPH_BREAKER_OPEN_MS: String(OPEN_MS),
  });
  admin = await signUp(gatewayUrl());
  channelId = (await createChannel(gatewayUrl(), admin)).id;
}, 180_000);
afterAll(() => system?.stop(false), 60_000);

/** A query that needs the users subgraph only, or one that needs messages too. */
const ask = (needsMessages: boolean) =>
  needsMessages
    ? graphql(gatewayUrl(), MeAndChannelDocument, { id: channelId }, admin.headers)
    : graphql(gatewayUrl(), MeUsernameDocument, {}, admin.headers);

async function readiness(): Promise<{ status: number; body: any }> {
  const response = await fetch(`${origin()}/readyz`);
  return { status: response.status, body: await response.json() };
}

/** The value of the gateway's `opsgraph_subgraph_circuit_state` for `subgraph`. */
async function circuitState(subgraph: string): Promise<number | null> {
  const text = await (await fetch(`${origin()}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('opsgraph_subgraph_circuit_state{') && l.includes(`"${subgraph}"`));
  return line ? Number(line.split(' ').pop()) : null;
}

/** Sends both queries from `clients` loops until `stop` resolves; returns every answer. */
function load(clients: number) {
  const answers: { needsMessages: boolean; response: GraphQLResponse<unknown> }[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async (_, i) => {
    while (running) {
      const needsMessages = i % 2 === 1;
      answers.push({ needsMessages, response: await ask(needsMessages) });
      await sleep(20);
    }
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

it('answers around a killed subgraph, fails fast on it, and recovers when it is back', async () => {
  const messages = services('messages');
  expect((await readiness()).body.checks.subgraphs.subgraphs.messages).toEqual({
    ready: true,
    breaker: 'closed',
  });
  await messages.kill();
  const outage = load(6);
  // The breaker opens under the load, and readiness stays up: users still answers.
  await until(async () => (await circuitState('messages')) === 2, 30_000, 'breaker open');
  const during = await readiness();
  expect(during.status).toBe(200);
  expect(during.body.checks.subgraphs).toMatchObject({
    ok: true,
    subgraphs: { users: { ready: true }, messages: { ready: false, breaker: 'open' } },
  });
  await sleep(500);
  await outage.stop();

  const usersOnly = outage.answers.filter((a) => !a.needsMessages);
  const both = outage.answers.filter((a) => a.needsMessages);
  expect(usersOnly.length).toBeGreaterThan(0);
  expect(both.length).toBeGreaterThan(0);
  for (const { response } of usersOnly) {
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ me: { id: admin.user.id, username: admin.user.username } });
  }
  for (const { response } of both) {
    expect(response.data).toEqual({
      me: { id: admin.user.id, username: admin.user.username },
      channel: null,
    });
    expect(response.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'messages' },
      }),
    ]);
  }
  // Once open, fetches fail at once without trying the subgraph.
  expect(
    both.some(({ response }) => /circuit breaker is open/.test(response.errors![0]!.message)),
  ).toBe(true);

  await messages.start();
  // After its open period, a query's fetch probes the subgraph, and its success closes it.
  const recovered = await until(
    async () => {
      const response = await graphql(
        gatewayUrl(),
        MeAndChannelDocument,
        { id: channelId },
        admin.headers,
      );
      return response.errors === undefined && response.data?.channel !== null;
    },
    30_000,
    'queries needing messages answer again',
  );
  expect(recovered).toBeGreaterThanOrEqual(0);
  expect(await circuitState('messages')).toBe(0);
  expect((await readiness()).body.checks.subgraphs.subgraphs.messages).toEqual({
    ready: true,
    breaker: 'closed',
  });
}, 120_000);

it('is not ready when no subgraph answers (last: it kills them all)', async () => {
  await services('messages').kill();
  expect((await readiness()).status).toBe(200);
  await services('users').kill();
  const none = await readiness();
  expect(none.status).toBe(503);
  expect(none.body.checks.subgraphs).toMatchObject({
    ok: false,
    subgraphs: { users: { ready: false }, messages: { ready: false } },
  });
  await services('users').start();
  expect((await readiness()).status).toBe(200);
}, 120_000);
