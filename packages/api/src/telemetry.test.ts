/**
 * Tracing through a real procedure: a tRPC call against a real database is exported to an in-test OTLP
 * receiver as a `trpc <path>` span with its database queries as children, in one trace.
 */
import { type AccountsConfig, signUp, startTelemetry, type Telemetry } from "@gathering/core";
import { createTestDatabase, type OtlpReceiver, type ReceivedSpan, startOtlpReceiver, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "./context";
import { callerFor, createTestServices } from "./test-services";

const accounts: AccountsConfig = { passwordHashCost: 4, signUpPolicy: "open" };
const UNKNOWN_PROJECT = "0b9e8d7c-6b5a-4f3e-8d2c-1b0a9f8e7d6c";

let receiver: OtlpReceiver;
let database: TestDatabase;
let telemetry: Telemetry;
let alice: Caller;
let aliceProjectId: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  database = await createTestDatabase();
  const account = await signUp(database.db, accounts, {
    email: "alice@example.com",
    name: "Alice",
    password: "correct horse battery staple",
  });
  alice = { userId: account.id, source: "session" };
  aliceProjectId = account.projectId;
  telemetry = await startTelemetry({ serviceName: "api-test", endpoint: receiver.endpoint, logger: createTestServices(database).logger });
});
afterAll(async () => {
  await telemetry?.shutdown();
  await database?.drop();
  await receiver?.close();
});

/** The `trpc <path>` span and the rest of its trace, once it and at least `minimumSpans` spans have arrived. */
async function traceOfProcedure(path: string, minimumSpans: number): Promise<{ procedure: ReceivedSpan; trace: ReceivedSpan[] }> {
  await telemetry.flush();
  let found: { procedure: ReceivedSpan; trace: ReceivedSpan[] } | undefined;
  await receiver.waitForSpans((spans) => {
    const procedure = spans.find((span) => span.name === `trpc ${path}`);
    const trace = procedure ? spans.filter((span) => span.traceId === procedure.traceId) : [];
    found = procedure && trace.length >= minimumSpans ? { procedure, trace } : undefined;
    return found !== undefined;
  });
  if (!found) throw new Error(`no trace for ${path}`);
  return found;
}

describe("tRPC tracing", () => {
  it("exports a procedure call as a server span whose database queries are its children", async () => {
    const projects = await callerFor(createTestServices(database), alice).projects.list();
    expect(projects.map((project) => project.id)).toEqual([aliceProjectId]);

    const { procedure, trace } = await traceOfProcedure("projects.list", 2);
    expect(procedure.parentSpanId).toBeUndefined();
    expect(procedure.kind).toBe(2);
    expect(procedure.status.code).toBe(0);
    expect(procedure.attributes).toMatchObject({
      "rpc.system": "trpc",
      "rpc.method": "projects.list",
      "trpc.type": "query",
      "trpc.outcome": "ok",
    });
    expect(procedure.resource).toMatchObject({ "service.name": "api-test" });
    const queries = trace.filter((span) => span.name === "db.query");
    expect(queries.length).toBeGreaterThanOrEqual(1);
    for (const query of queries) {
      expect(query.parentSpanId).toBe(procedure.spanId);
      expect(query.attributes["db.system"]).toBe("postgresql");
    }
    expect(queries.some((query) => /"project_members"|"projects"/.test(String(query.attributes["db.statement"])))).toBe(true);
  });

  it("records a refusal as the call's outcome without marking the span as an error", async () => {
    const error = await callerFor(createTestServices(database), alice)
      .projects.get({ projectId: UNKNOWN_PROJECT })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "NOT_FOUND" });

    const { procedure, trace } = await traceOfProcedure("projects.get", 2);
    expect(procedure.attributes).toMatchObject({ "rpc.method": "projects.get", "trpc.outcome": "NOT_FOUND", "error.type": "NOT_FOUND" });
    expect(procedure.status.code).toBe(0);
    // The membership lookup that refused the call is in its trace.
    expect(trace.filter((span) => span.name === "db.query").every((query) => query.parentSpanId === procedure.spanId)).toBe(true);
  });
});
