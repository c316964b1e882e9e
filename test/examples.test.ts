/**
 * The first hour: `npm start`'s demo organization has data to show, seeding it again adds
 * nothing, and every example operation — each tab sent whole (its file and the shared fragments
 * it spreads), as GraphiQL sends it, with the variables that tab opens with — runs through a
 * real gateway without an error. And what all that traffic leaves in Redis expires.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, separateOperations, type OperationDefinitionNode } from 'graphql';
import { exampleTabs, exampleVariables } from '../dev/graphiql-tabs';
import { seedDemo, type DemoData } from '../dev/seed-demo';
import { bearer, graphql } from './support/graphql';
import { keysWithoutExpiry, startStack, type Stack } from './support/stack';
import { REDIS_URL } from './support/env';
import { Redis } from 'ioredis';
import { collect, eventually, wsClient } from './support/subscriptions';

const EXAMPLES = join(__dirname, '..', 'examples', 'operations');

let stack: Stack;
let demo: DemoData;
let headers: Record<string, string>;

const COUNTS = `{
  nodes(first: 20) { edges { node { id } } }
  deployments(first: 20) { edges { node { status events(first: 20) { edges { node { type } } } } } }
  channels(first: 10) { edges { node { name messages(last: 20) { edges { node { body } } } } } }
}`;

async function counts() {
  const { data, errors } = await graphql(stack.gatewayUrl, COUNTS, {}, headers);
  expect(errors).toBeUndefined();
  const deployments = data!.deployments.edges.map((e: any) => e.node);
  return {
    nodes: data!.nodes.edges.length,
    deployments: deployments.map((d: any) => d.status).sort(),
    logLines: deployments.flatMap((d: any) =>
      d.events.edges.filter((e: any) => e.node.type === 'LOG'),
    ).length,
    channels: data!.channels.edges.map((e: any) => [e.node.name, e.node.messages.edges.length]),
  };
}

beforeAll(async () => {
  stack = await startStack();
  demo = await seedDemo(stack.gatewayUrl);
  const login = await graphql(
    stack.gatewayUrl,
    'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
    { input: { usernameOrEmail: demo.username, password: demo.password } },
  );
  headers = bearer(login.data!.login.accessToken);
}, 120_000);
afterAll(() => stack?.stop());

it('seeds nodes, a deployment history with logs and a channel with messages, once', async () => {
  const seeded = await counts();
  expect(seeded).toEqual({
    nodes: 3,
    deployments: [
      'FAILED',
      'QUEUED',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ],
    logLines: 18,
    channels: [['general', 3]],
  });
  expect(await seedDemo(stack.gatewayUrl)).toEqual(demo);
  expect(await counts()).toEqual(seeded);
}, 60_000);

it('runs every example operation, each tab whole, with its variables', async () => {
  const failures: Record<string, unknown> = {};
  const tabs = exampleTabs(EXAMPLES);
  // Every example file is a tab but the shared fragments.
  expect(tabs.map((tab) => `${tab.name}.graphql`)).toEqual(
    readdirSync(EXAMPLES).filter(
      (name) => name.endsWith('.graphql') && name !== 'fragments.graphql',
    ),
  );
  expect(tabs.length).toBeGreaterThanOrEqual(6);
  // Logged in like the Login tab does, so RefreshSession has a real token to rotate.
  const session = await graphql(
    stack.gatewayUrl,
    'mutation ($input: LoginInput!) { login(input: $input) { refreshToken } }',
    exampleVariables(demo).login!,
  );
  for (const { name, query: text } of tabs) {
    const variables: Record<string, unknown> = {
      ...exampleVariables(demo)[name],
      ...(name === 'login' ? { refreshToken: session.data!.login.refreshToken } : {}),
    };
    const operations = parse(text).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    for (const operation of operations) {
      const operationName = operation.name!.value;
      if (operation.operation === 'subscription') {
        const gateway = stack.gateways[0]!.service;
        const before = gateway.subscriptionStats().subscribers;
        const client = wsClient(stack.gatewayUrl, headers);
        const alone = collect(client, operationText(text, operationName), variables);
        await eventually(
          () =>
            gateway.subscriptionStats().subscribers > before ||
            alone.error !== undefined ||
            alone.results.some((result) => result.errors),
        );
        const errors = alone.error ?? alone.results.find((result) => result.errors)?.errors;
        if (errors) failures[operationName] = errors;
        alone.unsubscribe();
        await client.dispose();
        continue;
      }
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: text, operationName, variables }),
      });
      const body = (await response.json()) as { errors?: unknown };
      if (body.errors || response.status !== 200) failures[operationName] = body.errors;
    }
  }
  expect(failures).toEqual({});
}, 60_000);

it("leaves no Redis key that never expires (the rate limits' call logs included)", async () => {
  // The seed signed up and posted, so the rate limits' call logs exist by now.
  const redis = new Redis(REDIS_URL);
  const callLogs = await redis.keys(`${stack.redisPrefix}rate-limit-calls:*`);
  redis.disconnect();
  expect(callLogs.length).toBeGreaterThan(0);
  expect(await keysWithoutExpiry(stack.redisPrefix)).toEqual([]);
});

/** `name` alone with the fragments it uses: graphql-ws has no operationName. */
function operationText(text: string, name: string): string {
  const alone = separateOperations(parse(text))[name]!;
  return alone.definitions.map((d) => text.slice(d.loc!.start, d.loc!.end)).join('\n\n');
}
