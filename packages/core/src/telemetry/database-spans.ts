/**
 * Spans for the statements drizzle sends (`db.query`) and for transactions (`db.transaction`), through
 * the observer hook of @gathering/db, which has no OpenTelemetry dependency of its own. Statements are
 * recorded without their parameter values. Only statements run inside live traced work get a span:
 * the background polls and flushes of a busy process would otherwise each start a trace of their own.
 */
import type { QueryObserver } from "@gathering/db";
import { SpanKind } from "@opentelemetry/api";
import { activeTracerOrUndefined, liveActiveSpan, recordSpanFailure, withSpan } from "./tracing";

/** Long enough for any statement we write by hand; bulk inserts are cut. */
const MAX_STATEMENT_LENGTH = 2_048;

const ignoreOutcome = (): void => {};

function operationOf(statement: string): string {
  const match = /^\s*([A-Za-z]+)/.exec(statement);
  return match?.[1]?.toUpperCase() ?? "UNKNOWN";
}

export const databaseQueryObserver: QueryObserver = {
  startQuery(statement) {
    const tracer = activeTracerOrUndefined();
    if (!tracer || !liveActiveSpan()) return ignoreOutcome;
    const span = tracer.startSpan("db.query", {
      kind: SpanKind.CLIENT,
      attributes: {
        "db.system": "postgresql",
        "db.operation.name": operationOf(statement),
        "db.statement": statement.length > MAX_STATEMENT_LENGTH ? `${statement.slice(0, MAX_STATEMENT_LENGTH)}…` : statement,
      },
    });
    return (error) => {
      if (error !== undefined) recordSpanFailure(span, error);
      span.end();
    };
  },
  inTransaction(run) {
    if (!liveActiveSpan()) return run();
    return withSpan("db.transaction", { "db.system": "postgresql" }, () => run(), { kind: SpanKind.CLIENT });
  },
};
