/**
 * HTTP hardening: OWASP baseline headers on every service, a CSP that fits the GraphiQL page
 * (the browser test runs GraphiQL under it), CORS only for allowlisted origins, and no stack
 * trace in production errors.
 */
import { connect } from 'node:net';
import type { Gateway } from '../gateway/server';
import { API_CSP, PAGE_CSP } from '../platform/security-headers';
import { startGateway, startStack, type Running, type Stack } from './support/stack';

let stack: Stack;
let gateway: Running<Gateway>;
const APP = 'https://app.example.com';

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users'] });
  gateway = await startGateway({
    ...stack.gatewayConfig,
    production: true,
    introspection: false,
    security: { corsOrigins: new Set([APP]), hsts: true },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

const post = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ me { id } }' }),
  });

it('sends the baseline headers from the gateway and every subgraph', async () => {
  for (const url of [stack.gatewayUrl, stack.subgraphs.users!.url]) {
    const response = await post(url);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toBe(API_CSP);
    expect(response.headers.get('strict-transport-security')).toBeNull();
  }
  expect((await post(gateway.url)).headers.get('strict-transport-security')).toMatch(/^max-age=/);
  const page = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
  expect(page.headers.get('content-security-policy')).toBe(PAGE_CSP);
});

it('answers CORS for allowlisted origins only', async () => {
  const preflight = (origin: string) =>
    fetch(gateway.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
  const allowed = await preflight(APP);
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
  // Every header the docs have a browser client send: credentials, CSRF prevention on a GET,
  // trace context, Apollo Client's name, and the Accept of a multipart subscription (with its
  // quotes, not one a browser sends without asking).
  expect(allowed.headers.get('access-control-allow-headers')?.split(', ')).toEqual(
    expect.arrayContaining([
      'accept',
      'authorization',
      'x-api-key',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'traceparent',
      'tracestate',
      'apollographql-client-name',
    ]),
  );
  expect(
    (await post(gateway.url, { origin: APP })).headers.get('access-control-allow-origin'),
  ).toBe(APP);

  const refused = await preflight('https://evil.example.com');
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  expect(
    (await post(gateway.url, { origin: 'https://evil.example.com' })).headers.get(
      'access-control-allow-origin',
    ),
  ).toBeNull();
});

it('shows no stack trace or internal message in production errors', async () => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ me { nope } }' }),
  });
  const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
  expect(body.errors.length).toBeGreaterThan(0);
  for (const error of body.errors) {
    expect(error.extensions.stacktrace).toBeUndefined();
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
  }
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(js|ts):\d+/);
});

it('answers every method and requests Node cannot parse with the baseline headers and a GraphQL error', async () => {
  const baseline = (response: Response) => {
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe(API_CSP);
  };
  // OPTIONS is one of the methods HEAD names; without a preflight CORS answers (no origin, or
  // one not allowed) it was refused as a cross-site request (400), and no CORS header is given.
  for (const origin of [undefined, 'https://evil.example.com']) {
    const options = await fetch(gateway.url, {
      method: 'OPTIONS',
      headers: origin ? { origin, 'access-control-request-method': 'POST' } : {},
    });
    expect([options.status, options.headers.get('allow')]).toEqual([
      204,
      'GET, POST, HEAD, OPTIONS',
    ]);
    expect(options.headers.get('access-control-allow-origin')).toBeNull();
    baseline(options);
  }
  // Any other method: 405 with the same Allow (Apollo said 405 "GET, POST" to a JSON PUT, and
  // 400 for a cross-site request to a DELETE without a body).
  for (const [method, headers, body] of [
    ['PUT', { 'content-type': 'application/json' }, '{"query":"{ me { id } }"}'],
    ['DELETE', {}, undefined],
  ] as const) {
    const refused = await fetch(gateway.url, { method, headers, body });
    expect([refused.status, refused.headers.get('allow')]).toEqual([
      405,
      'GET, POST, HEAD, OPTIONS',
    ]);
    baseline(refused);
    expect(await refused.json()).toEqual({
      errors: [
        {
          message: `/graphql takes GET, POST, HEAD, OPTIONS, not ${method}.`,
          extensions: { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST' },
        },
      ],
    });
  }
  // A URL beyond Node's header limit got a bare 431 from Node's parser, without a body.
  const long = await fetch(`${gateway.url}?query=${'x'.repeat(20_000)}`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  expect(long.status).toBe(431);
  baseline(long);
  expect(await long.json()).toEqual({
    errors: [
      {
        message: 'The request line and headers exceed 16384 bytes: send a long document with POST.',
        extensions: { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST' },
      },
    ],
  });
  // Not HTTP at all: a 400 saying so, and the gateway still serves.
  const { port } = new URL(gateway.url);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end('NOT HTTP\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect(answer).toContain('x-content-type-options: nosniff\r\n');
  expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
    errors: [
      {
        message: 'The request is not valid HTTP.',
        extensions: { code: 'BAD_USER_INPUT', reason: 'BAD_REQUEST' },
      },
    ],
  });
  expect((await post(gateway.url)).status).toBe(200);
});
