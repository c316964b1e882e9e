/**
 * OpenTelemetry: with an OTLP endpoint configured, a client's request is one trace from the
 * gateway into the subgraphs (W3C `traceparent`), exported over OTLP/HTTP to a collector that
 * this test runs on loopback.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { listen } from '../platform/listen';
import { startTracing, type Tracing } from '../platform/tracing';
import { graphql } from './support/graphql';
import { signUp } from './support/seed';
import { startStack, type Stack } from './support/stack';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

let collector: Server;
const spans: ExportedSpan[] = [];
let tracing: Tracing;
let stack: Stack;

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[];
      };
      for (const resource of body.resourceSpans)
        for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  const url = await listen(collector, '127.0.0.1', 0);
  tracing = startTracing({ serviceName: 'opsgraph-test', endpoint: url.replace('/graphql', '') });
  stack = await startStack({ subgraphs: ['users'] });
});
afterAll(async () => {
  await stack?.stop();
  await tracing?.shutdown();
  await new Promise((resolve) => collector?.close(resolve));
});

it("carries the client's trace through the gateway into the subgraph", async () => {
  const admin = await signUp(stack.gatewayUrl);
  const traceId = randomBytes(16).toString('hex');
  const clientSpanId = randomBytes(8).toString('hex');
  const response = await graphql(
    stack.gatewayUrl,
    `
      query Me {
        me {
          id
        }
      }
    `,
    {},
    {
      ...admin.headers,
      traceparent: `00-${traceId}-${clientSpanId}-01`,
    },
  );
  expect(response.data).toEqual({ me: { id: admin.user.id } });
  await tracing.shutdown(); // flushes every pending span to the collector

  const trace = spans.filter((span) => span.traceId === traceId);
  const gatewayRequest = trace.find((span) => span.name === 'gateway.request');
  const fetch = trace.find((span) => span.name === 'gateway.fetch');
  const subgraph = trace.find((span) => span.name === 'users request');
  expect(gatewayRequest?.parentSpanId).toBe(clientSpanId);
  expect(fetch).toBeDefined();
  // The subgraph's span hangs under the gateway's fetch: the context crossed the network.
  expect(subgraph?.parentSpanId).toBe(fetch!.spanId);
});
