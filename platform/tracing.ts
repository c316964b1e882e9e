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
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  shutdown(): Promise<void>;
}

/** Registers the process-wide tracer provider. One per process: call it from a main. */
export function startTracing(options: { serviceName: string; endpoint: string }): Tracing {
  const provider = new NodeTracerProvider({
    resource: new Resource({ 'service.name': options.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/$/, '')}/v1/traces` }),
      ),
    ],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return { shutdown: () => provider.shutdown() };
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
