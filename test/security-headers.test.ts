/**
 * HTTP hardening: OWASP baseline headers on every service, a CSP that fits the GraphiQL page
 * (the browser test runs GraphiQL under it), CORS only for allowlisted origins, and no stack
 * trace in production errors.
 */
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
  // trace context, Apollo Client's name.
  expect(allowed.headers.get('access-control-allow-headers')?.split(', ')).toEqual(
    expect.arrayContaining([
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
