/**
 * Tracing for library code, written against the OpenTelemetry API alone: spans around units of work, the
 * active trace and span ids for log lines, and a caller's trace context taken from request headers.
 * Until startTelemetry registers a provider all of it is a no-op costing next to nothing (no span, no
 * context change), so code can wrap work in spans unconditionally.
 */
import {
  type Attributes,
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";

export type { Attributes as SpanAttributes, Span };
export { SpanKind };

interface TracingState {
  /** Set while startTelemetry has a provider registered; undefined means tracing is off. */
  tracer: Tracer | undefined;
}

// On globalThis, so that a second copy of this module in the process (Next.js bundles its own) sees it too.
const stateKey: unique symbol = Symbol.for("gathering.tracing");
const processGlobals = globalThis as { [stateKey]?: TracingState };
processGlobals[stateKey] ??= { tracer: undefined };
const state: TracingState = processGlobals[stateKey];

/** The span handed to `withSpan` callbacks while tracing is off: every method does nothing. */
const disabledSpan: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** @internal startTelemetry's switch; library code never calls it. */
export function setActiveTracer(tracer: Tracer | undefined): void {
  state.tracer = tracer;
}

/** The tracer to start spans with, or undefined while tracing is off. */
export function activeTracerOrUndefined(): Tracer | undefined {
  return state.tracer;
}

export interface WithSpanOptions {
  /** SERVER for an incoming call, CLIENT for a call out (model, HTTP); INTERNAL otherwise. */
  kind?: SpanKind;
}

/** Marks a span failed: the exception as an event, and an ERROR status with its message. */
export function recordSpanFailure(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/**
 * Runs `fn` under a new span (a child of the active one), which it may enrich, e.g. with token counts
 * and cost. A rejection is recorded on the span, which is marked ERROR, and rethrown; the span always ends.
 */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  options: WithSpanOptions = {},
): Promise<T> {
  const tracer = state.tracer;
  if (!tracer) {
    try {
      return fn(disabledSpan);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return tracer.startActiveSpan(name, { attributes, kind: options.kind ?? SpanKind.INTERNAL }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordSpanFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * The active span, when it is live. A span that has ended still sits in the context of timers and
 * listeners started during it; those are not part of its work, so they get no span and no trace id.
 */
export function liveActiveSpan(): Span | undefined {
  if (!state.tracer) return undefined;
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span : undefined;
}

/** The trace id of the work in progress, to show a user or put in a report; undefined when not traced. */
export function currentTraceId(): string | undefined {
  return liveActiveSpan()?.spanContext().traceId;
}

/**
 * `{ traceId, spanId }` of the live active span, for log lines (pino's mixin); an empty object otherwise.
 * Always a fresh object: pino merges each line's own fields into what the mixin returns.
 */
export function traceLogFields(): { traceId?: string; spanId?: string } {
  const span = liveActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * Runs `fn` as a continuation of the caller's trace when the request carries a W3C `traceparent`
 * header, so an SDK's or a proxy's spans and ours form one trace.
 */
export function withTraceContextFrom<T>(headers: Headers, fn: () => T): T {
  if (!state.tracer || !headers.has("traceparent")) return fn();
  return context.with(propagation.extract(ROOT_CONTEXT, headers, headersGetter), fn);
}
