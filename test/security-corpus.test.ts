/**
 * The corpus of malformed and abusive requests (test/corpus), sent to the gateway (in
 * production mode) and to every subgraph directly: each gets a 4xx or a GraphQL error with a
 * catalogue code other than INTERNAL_SERVER_ERROR, a 4xx's GraphQL errors included
 * (valid-but-expensive ones at least no 5xx), no process crashes, and every
 * service is healthy afterwards and still answers a normal request.
 */
import { request } from 'node:http';
import type { Gateway } from '../gateway/server';
import { ErrorCode } from '../platform/errors';
import { corpus, type CorpusRequest } from './corpus/malformed-requests';
import { graphql } from './support/graphql';
import { signUp } from './support/seed';
import { startGateway, startStack, type Running, type Stack } from './support/stack';

const CODES = new Set<string>(Object.values(ErrorCode));
const PRODUCTION = { production: true };

let stack: Stack;
let gateway: Running<Gateway>;

beforeAll(async () => {
  stack = await startStack({
    config: { users: PRODUCTION, nodes: PRODUCTION, messages: PRODUCTION, deployments: PRODUCTION },
  });
  gateway = await startGateway({ ...stack.gatewayConfig, production: true, introspection: false });
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

function send(base: string, entry: CorpusRequest): Promise<{ status: number; body: string }> {
  const url = new URL(entry.path, base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: entry.method, headers: entry.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    // A server may refuse a huge body before reading it all: that is an answer too.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET'
        ? resolve({ status: 413, body: '' })
        : reject(error),
    );
    req.end(entry.body);
  });
}

/** Why the answer breaks the rule, or null when it is acceptable. */
function violation(entry: CorpusRequest, status: number, body: string): string | null {
  if (status >= 500) return `HTTP ${status}`;
  if (entry.expect === 'survived') return null;
  const refused = status >= 400 && status < 500;
  let parsed: { errors?: { extensions?: { code?: string } }[] };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // Refused before GraphQL (a body too large, a method not allowed): the status says it all.
    return refused ? null : `HTTP ${status} without a GraphQL body`;
  }
  // A 4xx with GraphQL errors must name the client's mistake too, not an internal one.
  const codes = (parsed.errors ?? []).map((error) => error.extensions?.code);
  if (codes.length === 0) return refused ? null : 'accepted without an error';
  const unknown = codes.filter(
    (code) => !code || !CODES.has(code) || code === ErrorCode.INTERNAL_SERVER_ERROR,
  );
  return unknown.length > 0 ? `codes ${JSON.stringify(codes)}` : null;
}

it('has at least 200 requests', () => {
  expect(corpus().length).toBeGreaterThanOrEqual(200);
});

it.each(['gateway', 'users', 'nodes', 'messages', 'deployments'])(
  'answers every corpus request on %s with a 4xx or a coded GraphQL error, and stays healthy',
  async (target) => {
    const base = target === 'gateway' ? gateway.url : stack.subgraphs[target]!.url;
    const problems: string[] = [];
    for (const entry of corpus()) {
      const { status, body } = await send(base, entry);
      const problem = violation(entry, status, body);
      if (problem) problems.push(`${entry.name}: ${problem}`);
    }
    expect(problems).toEqual([]);
    const health = await fetch(base.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
  },
  120_000,
);

it('still serves normal requests afterwards', async () => {
  const admin = await signUp(stack.gatewayUrl);
  const me = await graphql(gateway.url, '{ me { id } }', {}, admin.headers);
  expect(me.data).toEqual({ me: { id: admin.user.id } });
  for (const subgraph of Object.values(stack.subgraphs)) {
    expect((await fetch(subgraph.url.replace('/graphql', '/readyz'))).status).toBe(200);
  }
});
