/**
 * OpenTelemetry's SDK: the tracer provider exporting spans over OTLP/HTTP. Loaded by
 * tracing.ts's startTracing only when tracing is configured.
 */
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  serviceName: string;
  endpoint: string;
}

export function registerTracerProvider(options: TracingOptions): Tracing {
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
