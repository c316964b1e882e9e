/**
 * OpenTelemetry: with an OTLP endpoint configured, a client's request is one trace from the
 * gateway into the subgraphs (W3C `traceparent`), exported over OTLP/HTTP to a collector that
 * this test runs on loopback. Without one, no service loads the SDK at all.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
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

it("loads OpenTelemetry's tracing SDK only once tracing starts, not with a service's modules", () => {
  // In a process of its own: this one has started tracing. Every module a service's main loads
  // before it reads its configuration, then startTracing.
  const script = `
    const sdk = () => Object.keys(require.cache).filter((file) =>
      /node_modules[\\\\/]@opentelemetry[\\\\/](sdk-trace-|exporter-trace-)/.test(file)).length;
    for (const name of ['users', 'nodes', 'messages', 'deployments'])
      require('./subgraphs/' + name + '/server');
    require('./subgraphs/kit/main');
    require('./gateway/server');
    const before = sdk();
    const tracing = require('./platform/tracing').startTracing({
      serviceName: 'opsgraph-test',
      endpoint: 'http://127.0.0.1:9',
    });
    console.log(JSON.stringify({ before, after: sdk() }));
    void tracing.shutdown();
  `;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: join(__dirname, '..'),
    encoding: 'utf8',
  });
  const { before, after } = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
  expect(before).toBe(0);
  expect(after).toBeGreaterThan(0);
}, 60_000);
