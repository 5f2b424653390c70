/** Tracing: the API library code uses (tracing.ts) and the process-level switch (start-telemetry.ts). */
export * from "./start-telemetry";
export {
  currentTraceId,
  recordSpanFailure,
  type Span,
  type SpanAttributes,
  SpanKind,
  traceLogFields,
  type WithSpanOptions,
  withSpan,
  withTraceContextFrom,
} from "./tracing";
