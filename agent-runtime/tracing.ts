import type * as OtelApi from "@opentelemetry/api";

/** W3C trace context as carried across a boundary (a queued job's data, an HTTP request's headers). */
export type TraceCarrier = Record<string, string>;

type SpanKind = "server" | "client" | "consumer" | "producer" | "internal";

// The runtime's copy of control-plane/tracing.ts: the runtime is deployed alone and imports nothing of ours.

/** Set once tracing is on; null means every helper here is a plain call with no OpenTelemetry loaded. */
let otel: typeof OtelApi | null = null;

/**
 * Turns tracing on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: the official Node SDK with a batching OTLP/HTTP
 * exporter (it reads the endpoint and headers from the standard OTEL_* variables). With no endpoint nothing
 * is imported, no exporter runs, and the returned stop does nothing. Stop flushes what is still buffered.
 */
export async function startTracing(
  serviceName: string,
  endpoint: string | undefined,
): Promise<() => Promise<void>> {
  if (!endpoint) return async () => {};
  const [api, sdk, exporter, resources] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const provider = new sdk.NodeTracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [
      new sdk.BatchSpanProcessor(new exporter.OTLPTraceExporter(), { scheduledDelayMillis: 500 }),
    ],
  });
  provider.register();
  otel = api;
  return async () => {
    otel = null;
    await provider.shutdown();
  };
}

export function tracingEnabled(): boolean {
  return otel !== null;
}

/**
 * Runs `work` in a span named `name` (a child of the active span, or of `parent` when given); an error marks
 * the span failed and is rethrown. Without tracing it is `work()`.
 */
export async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean | undefined>,
  work: () => Promise<T>,
  options: { parent?: TraceCarrier; kind?: SpanKind } = {},
): Promise<T> {
  const api = otel;
  if (!api) return await work();
  const kinds: Record<SpanKind, OtelApi.SpanKind> = {
    server: api.SpanKind.SERVER,
    client: api.SpanKind.CLIENT,
    consumer: api.SpanKind.CONSUMER,
    producer: api.SpanKind.PRODUCER,
    internal: api.SpanKind.INTERNAL,
  };
  const parent = options.parent
    ? api.propagation.extract(api.context.active(), options.parent)
    : api.context.active();
  const clean = Object.fromEntries(
    Object.entries(attributes).filter(([, v]) => v !== undefined),
  ) as OtelApi.Attributes;
  return await api.trace
    .getTracer("websplat-runtime")
    .startActiveSpan(
      name,
      { kind: kinds[options.kind ?? "internal"], attributes: clean },
      parent,
      async (span) => {
        try {
          return await work();
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: api.SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      },
    );
}

/** The active span's context to carry across a boundary; undefined without tracing. */
export function traceCarrier(): TraceCarrier | undefined {
  const api = otel;
  if (!api) return undefined;
  const carrier: TraceCarrier = {};
  api.propagation.inject(api.context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** Adds an attribute to the active span (the request id once it is known, the route once matched). */
export function setSpanAttributes(attributes: Record<string, string | number>): void {
  otel?.trace.getActiveSpan()?.setAttributes(attributes);
}
