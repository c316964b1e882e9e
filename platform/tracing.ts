/**
 * OpenTelemetry tracing, on when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans go to that OTLP/HTTP
 * endpoint, and W3C trace context (`traceparent`) travels from the gateway into the subgraphs,
 * so a request is one trace across services. @apollo/gateway already emits its spans (request,
 * plan, fetch) through the OpenTelemetry API; subgraphs add one server span per request.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  context,
  propagation,
  trace,
  SpanKind,
  SpanStatusCode,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type * as TracingSdk from './tracing-sdk';

export type Tracing = TracingSdk.Tracing;
export type TracingOptions = TracingSdk.TracingOptions;

/**
 * Registers the process-wide tracer provider. One per process: call it from a main. The SDK
 * (provider, exporter) is loaded only here, when tracing is on: it was about a tenth of the
 * modules' loading time that a restarted service spends before it can answer.
 */
export function startTracing(options: TracingOptions): Tracing {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./tracing-sdk') as typeof TracingSdk;
  return sdk.registerTracerProvider(options);
}

const headerGetter = {
  keys: (headers: IncomingHttpHeaders) => Object.keys(headers),
  get: (headers: IncomingHttpHeaders, key: string) => headers[key],
};

/** The trace context a request carries (`traceparent`), or the current one. */
export const incomingContext = (headers: IncomingHttpHeaders): Context =>
  propagation.extract(context.active(), headers, headerGetter);

/** Adds the current trace context to outgoing headers (a no-op while tracing is off). */
export function injectTraceContext(headers: Record<string, string>): void {
  propagation.inject(context.active(), headers);
}

/** Runs `handle` inside a server span that continues the request's incoming trace. */
export function withServerSpan<T>(
  service: string,
  headers: IncomingHttpHeaders,
  handle: (span: Span) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer('opsgraph');
  return tracer.startActiveSpan(
    `${service} request`,
    { kind: SpanKind.SERVER, attributes: { 'opsgraph.service': service } },
    incomingContext(headers),
    async (span) => {
      try {
        return await handle(span);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
