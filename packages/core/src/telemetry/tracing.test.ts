import { Writable } from "node:stream";
import { findUserByEmail, insertUser } from "@gathering/db";
import { createTestDatabase, type OtlpReceiver, type ReceivedSpan, startOtlpReceiver, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger";
import { startTelemetry, type Telemetry } from "./start-telemetry";
import { currentTraceId, withSpan, withTraceContextFrom } from "./tracing";

const logger = createLogger({ level: "silent" });
let receiver: OtlpReceiver;
let database: TestDatabase;
let telemetry: Telemetry;

/** Spans sharing the root's trace, once the root span named `rootName` and `count` spans in all have arrived. */
async function traceOf(rootName: string, count: number): Promise<ReceivedSpan[]> {
  await telemetry.flush();
  let trace: ReceivedSpan[] = [];
  await receiver.waitForSpans((spans) => {
    const root = spans.find((span) => span.name === rootName);
    trace = root ? spans.filter((span) => span.traceId === root.traceId) : [];
    return trace.length >= count;
  });
  return trace;
}

function named(spans: readonly ReceivedSpan[], name: string): ReceivedSpan {
  const span = spans.find((candidate) => candidate.name === name);
  if (!span) throw new Error(`no span named ${name} among ${spans.map((candidate) => candidate.name).join(", ")}`);
  return span;
}

describe("without an OTLP endpoint", () => {
  it("runs the work and traces nothing", async () => {
    const disabled = await startTelemetry({ serviceName: "core-test", logger });
    expect(disabled.isExporting).toBe(false);
    const value = await withSpan("untraced", {}, async (span) => {
      span.setAttribute("ignored", true);
      expect(span.isRecording()).toBe(false);
      return currentTraceId();
    });
    expect(value).toBeUndefined();
    await expect(withSpan("untraced", {}, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  });
});

describe("exporting to an OTLP receiver", () => {
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    database = await createTestDatabase();
    telemetry = await startTelemetry({
      serviceName: "core-test",
      endpoint: receiver.endpoint,
      headers: { "x-collector-key": "k-123" },
      logger,
    });
  });
  afterAll(async () => {
    await telemetry?.shutdown();
    await database?.drop();
    await receiver?.close();
  });

  it("nests spans, keeps their attributes and names the service and the trace in progress", async () => {
    let innerTraceId: string | undefined;
    const result = await withSpan("outer", { "test.case": "nesting" }, async () => {
      await withSpan("inner", { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-test" }, async (span) => {
        span.setAttributes({ "gen_ai.usage.input_tokens": 12, "gen_ai.usage.output_tokens": 34, "gathering.cost_usd": 0.0021 });
        innerTraceId = currentTraceId();
      });
      return "done";
    });
    expect(result).toBe("done");
    expect(currentTraceId()).toBeUndefined();

    const trace = await traceOf("outer", 2);
    const outer = named(trace, "outer");
    const inner = named(trace, "inner");
    expect(outer.parentSpanId).toBeUndefined();
    expect(inner.parentSpanId).toBe(outer.spanId);
    expect(inner.traceId).toBe(innerTraceId);
    expect(outer.attributes).toMatchObject({ "test.case": "nesting" });
    expect(inner.attributes).toMatchObject({
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-test",
      "gen_ai.usage.input_tokens": 12,
      "gen_ai.usage.output_tokens": 34,
      "gathering.cost_usd": 0.0021,
    });
    expect(outer.resource).toMatchObject({ "service.name": "core-test" });
    expect(receiver.lastHeaders["x-collector-key"]).toBe("k-123");
  });

  it("records a failure on the span, marks it as an error and rethrows it", async () => {
    const failure = new Error("provider refused the request");
    await expect(withSpan("failing-parent", {}, () => withSpan("failing-child", {}, async () => Promise.reject(failure)))).rejects.toBe(
      failure,
    );

    const trace = await traceOf("failing-parent", 2);
    for (const span of [named(trace, "failing-child"), named(trace, "failing-parent")]) {
      expect(span.status).toEqual({ code: 2, message: "provider refused the request" });
      expect(span.events).toContainEqual({
        name: "exception",
        attributes: expect.objectContaining({ "exception.type": "Error", "exception.message": "provider refused the request" }),
      });
    }
  });

  it("traces the queries and the transactions run inside a span, without their parameter values", async () => {
    const email = "traced-7f3a@example.com";
    await withSpan("signup-like", {}, async () => {
      await database.db.transaction(async (tx) => {
        await insertUser(tx, { email, name: "Traced", passwordHash: "hash-not-a-secret-4d1" });
      });
      await findUserByEmail(database.db, email);
    });

    const trace = await traceOf("signup-like", 4);
    const root = named(trace, "signup-like");
    const transaction = named(trace, "db.transaction");
    const queries = trace.filter((span) => span.name === "db.query");
    expect(transaction.parentSpanId).toBe(root.spanId);
    expect(queries).toHaveLength(2);
    const [insert, select] = queries.sort((left, right) =>
      String(left.attributes["db.operation.name"]).localeCompare(String(right.attributes["db.operation.name"])),
    );
    expect(insert?.attributes).toMatchObject({ "db.system": "postgresql", "db.operation.name": "INSERT" });
    expect(insert?.parentSpanId).toBe(transaction.spanId);
    expect(select?.attributes).toMatchObject({ "db.system": "postgresql", "db.operation.name": "SELECT" });
    expect(select?.parentSpanId).toBe(root.spanId);
    for (const query of queries) {
      expect(query.kind).toBe(3);
      expect(query.attributes["db.statement"]).toMatch(/"users"/);
      expect(query.attributes["db.statement"]).not.toMatch(/traced-7f3a|hash-not-a-secret/);
    }
  });

  it("marks a failed query as an error", async () => {
    await expect(withSpan("bad-query", {}, () => database.db.execute("select * from no_such_table"))).rejects.toThrow();
    const trace = await traceOf("bad-query", 2);
    expect(named(trace, "db.query").status.code).toBe(2);
  });

  it("gives queries run outside live traced work no span: none at all, or a span that has already ended", async () => {
    await findUserByEmail(database.db, "untraced-91c2@example.com");
    let lingering: Promise<unknown> | undefined;
    await withSpan("ended-parent", {}, async () => {
      // Work started inside a span but run after it ended (a timer, a listener) keeps the span's context.
      lingering = new Promise((resolve) => setImmediate(resolve)).then(() => findUserByEmail(database.db, "late-5b0e@example.com"));
    });
    await lingering;

    const endedParent = named(await traceOf("ended-parent", 1), "ended-parent");
    const strayQueries = receiver.spans.filter(
      (span) => span.name === "db.query" && (span.parentSpanId === undefined || span.parentSpanId === endedParent.spanId),
    );
    expect(strayQueries).toEqual([]);
  });

  it("continues the caller's trace from a W3C traceparent header", async () => {
    const callerTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpanId = "00f067aa0ba902b7";
    const headers = new Headers({ traceparent: `00-${callerTraceId}-${callerSpanId}-01` });
    await withTraceContextFrom(headers, () => withSpan("continued", {}, async () => {}));
    const continued = named(await traceOf("continued", 1), "continued");
    expect(continued.traceId).toBe(callerTraceId);
    expect(continued.parentSpanId).toBe(callerSpanId);
  });

  it("puts the trace and span ids on log lines written inside a span, and only there", async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const captured = createLogger({ level: "info", destination }).child({ requestId: "req-1" });
    captured.info({ step: "first" }, "before");
    await withSpan("logged", {}, async () => captured.info({ apiKey: "sk-live-secret" }, "inside"));
    captured.info("after");

    const logged = named(await traceOf("logged", 1), "logged");
    expect(lines.map((line) => line.msg)).toEqual(["before", "inside", "after"]);
    expect(lines[0]).not.toHaveProperty("traceId");
    expect(lines[1]).toMatchObject({ requestId: "req-1", traceId: logged.traceId, spanId: logged.spanId, apiKey: "[redacted]" });
    expect(lines[2]).not.toHaveProperty("traceId");
    // Each line's fields stay its own.
    expect(lines[0]).toMatchObject({ step: "first" });
    expect(lines[2]).not.toHaveProperty("step");
  });
});
