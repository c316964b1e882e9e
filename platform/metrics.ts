/**
 * Prometheus metrics for every service (prom-client), served on `/metrics`. Each process has
 * its own registry, so several services can run in one process (npm start, tests) without
 * mixing their series. Labels stay bounded: operation names beyond a cap count as `other`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { ServerResponse } from 'node:http';
// perf_hooks' own CommonJS exports, whose properties are writable (see stoppableDefaultMetrics).
// eslint-disable-next-line @typescript-eslint/no-require-imports
import perfHooks = require('node:perf_hooks');
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, formatErrorForClient } from './errors';
import { withExportsReplaced } from './replaced-exports';

/**
 * Operation names are the client's: the first 200, of at most 64 characters each, become labels,
 * the rest `other`. Each label is repeated on every line of a histogram, for the process's life.
 */
const MAX_OPERATION_NAMES = 200;
const MAX_OPERATION_NAME_LENGTH = 64;
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<'operation' | 'type'>;
  graphqlErrors: Counter<'code'>;
  /** A gauge whose value is read when scraped. */
  gauge(name: string, help: string, read: () => number): void;
  /** A counter whose running total is kept elsewhere and read when scraped. */
  counter(name: string, help: string, read: () => number): void;
  /** Several labelled values read when scraped. */
  labelledGauge(
    name: string,
    help: string,
    label: string,
    read: () => Record<string, number>,
  ): void;
  serve(res: ServerResponse): Promise<void>;
  /** Default collectors still running on their own: 2 until `close()`, then 0. */
  runningCollectors(): number;
  /** Stops the default collectors that run on their own; the service calls it once it is closed. */
  close(): void;
}

/**
 * prom-client's default metrics on `registry`, and what stops those of them that run on their
 * own: a PerformanceObserver of every GC and an event-loop-delay monitor (a timer sampling every
 * 10 ms). prom-client gives no way to stop either (prometheus/client_js#494 and #500), so a
 * service closed in a process that goes on (tests, a subgraph restarted in place) left both
 * running, and the observer, held by Node for good, kept the closed service's prom-client and
 * everything reachable from it. They are caught as prom-client creates them: it reads
 * `PerformanceObserver` and `monitorEventLoopDelay` from perf_hooks' exports at each call, which
 * are swapped for the (synchronous) call only (platform/replaced-exports); `runningCollectors`
 * lets a test notice if an upgrade of prom-client stops that.
 */
function stoppableDefaultMetrics(registry: Registry) {
  const { PerformanceObserver, monitorEventLoopDelay } = perfHooks;
  const observers: InstanceType<typeof PerformanceObserver>[] = [];
  const monitors: ReturnType<typeof monitorEventLoopDelay>[] = [];
  withExportsReplaced(
    perfHooks,
    {
      PerformanceObserver: class extends PerformanceObserver {
        constructor(callback: ConstructorParameters<typeof PerformanceObserver>[0]) {
          super(callback);
          observers.push(this);
        }
      },
      monitorEventLoopDelay: (options) => {
        const monitor = monitorEventLoopDelay(options);
        monitors.push(monitor);
        return monitor;
      },
    },
    () => collectDefaultMetrics({ register: registry, prefix: 'opsgraph_' }),
  );
  return {
    running: () => observers.length + monitors.length,
    stop() {
      for (const observer of observers.splice(0)) observer.disconnect();
      for (const monitor of monitors.splice(0)) monitor.disable();
    },
  };
}

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  const collectors = stoppableDefaultMetrics(registry);
  const requestDuration = new Histogram({
    name: 'opsgraph_graphql_request_duration_seconds',
    help: 'GraphQL request duration by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const graphqlErrors = new Counter({
    name: 'opsgraph_graphql_errors_total',
    help: 'GraphQL errors sent to clients, by extensions.code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return {
    registry,
    requestDuration,
    graphqlErrors,
    gauge(name, help, read) {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    },
    counter(name, help, read) {
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    },
    labelledGauge(name, help, label, read) {
      new Gauge({
        name,
        help,
        labelNames: [label],
        registers: [registry],
        collect() {
          for (const [value, count] of Object.entries(read())) this.set({ [label]: value }, count);
        },
      });
    },
    async serve(res) {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
    },
    runningCollectors: collectors.running,
    close: collectors.stop,
  };
}

export interface RequestObserver {
  /** Starts timing a request; call what it returns once the request is answered. */
  start(): (operationName: string | null | undefined, type: string) => void;
  /** Counts an error by the code the client sees (after masking and request-error mapping). */
  countError(code: unknown): void;
}

/** Request durations by operation and errors by code, with a bounded set of operation labels. */
export function createRequestObserver(metrics: Metrics): RequestObserver {
  const knownOperations = new Set<string>();
  const operationLabel = (name: string | null | undefined) => {
    if (!name) return 'anonymous';
    if (knownOperations.has(name)) return name;
    if (knownOperations.size >= MAX_OPERATION_NAMES || name.length > MAX_OPERATION_NAME_LENGTH)
      return 'other';
    knownOperations.add(name);
    return name;
  };
  // Label sets bound once, not an object per request.
  const durations = new Map<string, { observe(seconds: number): void }>();
  const durationOf = (operation: string, type: string) => {
    const key = `${type}\n${operation}`;
    let child = durations.get(key);
    if (!child) durations.set(key, (child = metrics.requestDuration.labels({ operation, type })));
    return child;
  };
  return {
    start() {
      const started = performance.now();
      return (operationName, type) =>
        durationOf(operationLabel(operationName), type).observe(
          (performance.now() - started) / 1000,
        );
    },
    countError: (code) => metrics.graphqlErrors.inc({ code: String(code) }),
  };
}

/**
 * Records request durations by operation and errors by the code the client sees: `formatError`
 * must be the server's own, so a limit violation Apollo labels GRAPHQL_VALIDATION_FAILED counts
 * as the QUERY_TOO_COMPLEX the client gets. Requests refused before execution (context creation
 * failed, e.g. a bad token; a malformed HTTP request) are counted too.
 */
export function useMetrics<TContext extends object>(
  observer: RequestObserver,
  formatError: (
    formatted: GraphQLFormattedError,
    original?: unknown,
  ) => GraphQLFormattedError = formatErrorForClient,
): ApolloServerPlugin<TContext> {
  const count = (error: Error) =>
    observer.countError(
      error instanceof GraphQLError
        ? formatError(error.toJSON(), error).extensions?.code
        : ErrorCode.INTERNAL_SERVER_ERROR,
    );
  return {
    async contextCreationDidFail({ error }) {
      count(error);
    },
    async invalidRequestWasReceived({ error }) {
      count(error);
    },
    async requestDidStart() {
      const answered = observer.start();
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) count(error);
        },
        async willSendResponse({ operationName, operation }) {
          answered(operationName, operation?.operation ?? 'unknown');
        },
      };
    },
  };
}
