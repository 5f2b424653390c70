/**
 * Pipelines on a real Graphile Worker, acting on a local receiver over HTTP: order, parallel branches,
 * fan-in, condition skips, map, retries, timeouts, cancel, approvals, rerun-from, and exactly-once
 * execution with two workers and 50 runs.
 */
import {
  cancelPipelineRun,
  createLogger,
  createPipeline,
  decidePipelineApproval,
  getPipelineRun,
  type Logger,
  rerunPipelineFrom,
  runPipelineTool,
  signUp,
  startPipelineRun,
} from "@gathering/core";
import { createDatabaseClient } from "@gathering/db";
import { pipelineQueue } from "@gathering/jobs";
import { createTestDatabase, type EffectReceiver, startEffectReceiver, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "./run-worker";

const logger = createLogger({ level: "silent" }) as Logger;
let database: TestDatabase;
let receiver: EffectReceiver;
const workers: WorkerHandle[] = [];
let actor: { userId: string };
let projectId: string;
let pipelineCount = 0;
/** The workers' allow list; tests may add hosts (the array is shared, not copied). */
const allowedHosts: string[] = [];

function http(id: string, path: string, extra: Record<string, unknown> = {}) {
  return { id, type: "http", config: { method: "POST", url: `${receiver.url}${path}`, body: { node: id } }, ...extra };
}

async function newPipeline(definition: Record<string, unknown>) {
  pipelineCount += 1;
  return createPipeline(database.db, actor, { projectId, name: `Pipeline ${pipelineCount}`, definition });
}

async function run(definition: Record<string, unknown>, inputs: Record<string, unknown> = {}) {
  const pipeline = await newPipeline(definition);
  return startPipelineRun(database.db, pipelineQueue, actor, { projectId, pipelineId: pipeline.id, inputs });
}

async function finished(runId: string, timeout = 20_000) {
  await expect
    .poll(async () => (await getPipelineRun(database.db, { projectId, runId })).status, { timeout, interval: 100 })
    .not.toBe("running");
  return getPipelineRun(database.db, { projectId, runId });
}

function node(runState: Awaited<ReturnType<typeof getPipelineRun>>, id: string) {
  const found = runState.nodes.find((candidate) => candidate.nodeId === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

beforeAll(async () => {
  database = await createTestDatabase({ max: 20 });
  receiver = await startEffectReceiver();
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "flow@example.com", name: "Flow", password: "correct horse battery staple" },
  );
  actor = { userId: account.id };
  projectId = account.projectId;
  allowedHosts.push(receiver.host);
  workers.push(
    await startWorker({
      connectionString: database.url,
      logger,
      concurrency: 4,
      pollIntervalMs: 200,
      toolServices: { allowedHosts },
    }),
  );
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await receiver?.close();
  await database?.drop();
});
beforeEach(() => receiver.reset());

describe("execution order", () => {
  it("runs a chain in topological order, passing outputs downstream", async () => {
    const started = await run(
      {
        inputs: [{ name: "topic", type: "string", required: true }],
        nodes: [
          http("fetch", "/fetch"),
          { id: "shape", type: "transform", config: { mapping: { path: "nodes.fetch.output.body.path", topic: "inputs.topic" } } },
          {
            ...http("send", "/send"),
            config: {
              method: "POST",
              url: `${receiver.url}/send`,
              body: { about: "{{nodes.shape.output.topic}}", from: "{{nodes.shape.output.path}}" },
            },
          },
        ],
        edges: [
          { from: "fetch", to: "shape" },
          { from: "shape", to: "send" },
        ],
      },
      { topic: "owls" },
    );
    const done = await finished(started.id);
    expect(done.status).toBe("succeeded");
    expect(receiver.requests.map((request) => request.path)).toEqual(["/fetch", "/send"]);
    expect(JSON.parse(receiver.requests[1]?.body ?? "{}")).toEqual({ about: "owls", from: "/fetch" });
    expect(node(done, "shape").output).toEqual({ path: "/fetch", topic: "owls" });
    expect(done.output).toEqual({ send: expect.objectContaining({ status: 200, ok: true }) });
  });

  it("runs independent branches at the same time and starts the fan-in node after both", async () => {
    // The receiver answers /branch only once two requests are in flight: sequential branches would hang.
    receiver.behave("/branch", { kind: "barrier", count: 2 });
    const started = await run({
      nodes: [http("start", "/start"), http("left", "/branch"), http("right", "/branch"), http("join", "/join")],
      edges: [
        { from: "start", to: "left" },
        { from: "start", to: "right" },
        { from: "left", to: "join" },
        { from: "right", to: "join" },
      ],
    });
    const done = await finished(started.id);
    expect(done.status).toBe("succeeded");
    expect(receiver.maxInFlight("/branch")).toBe(2);
    const join = node(done, "join");
    const lastBranch = Math.max(node(done, "left").finishedAt?.getTime() ?? 0, node(done, "right").finishedAt?.getTime() ?? 0);
    expect(join.startedAt?.getTime()).toBeGreaterThanOrEqual(lastBranch);
    expect(receiver.requests.filter((request) => request.path === "/join")).toHaveLength(1);
  });

  it("skips the branch a condition did not take, and its descendants, and still runs the join", async () => {
    const started = await run(
      {
        inputs: [{ name: "amount", type: "number", required: true }],
        nodes: [
          { id: "check", type: "condition", config: { expression: "inputs.amount > `100`" } },
          http("big", "/big"),
          http("big-follow-up", "/big-follow-up"),
          http("small", "/small"),
          http("after", "/after"),
        ],
        edges: [
          { from: "check", to: "big", when: "true" },
          { from: "big", to: "big-follow-up" },
          { from: "check", to: "small", when: "false" },
          { from: "big-follow-up", to: "after" },
          { from: "small", to: "after" },
        ],
      },
      { amount: 12 },
    );
    const done = await finished(started.id);
    expect(done.status).toBe("succeeded");
    expect(node(done, "check").branch).toBe("false");
    expect(node(done, "big").status).toBe("skipped");
    expect(node(done, "big-follow-up").status).toBe("skipped");
    expect(node(done, "small").status).toBe("succeeded");
    expect(node(done, "after").status).toBe("succeeded");
    expect(receiver.requests.map((request) => request.path).sort()).toEqual(["/after", "/small"]);
  });

  it("maps a sub-pipeline over a list with at most `concurrency` items at once, results in order", async () => {
    receiver.behave("/item", { kind: "slow", ms: 150 });
    const perItem = await newPipeline({
      inputs: [{ name: "item", type: "number", required: true }],
      nodes: [
        { id: "call", type: "http", config: { method: "POST", url: `${receiver.url}/item`, body: { n: "{{inputs.item}}" } } },
        { id: "echo", type: "transform", config: { mapping: { n: "inputs.item", status: "nodes.call.output.status" } } },
      ],
      edges: [{ from: "call", to: "echo" }],
    });
    const started = await run(
      {
        inputs: [{ name: "numbers", type: "array", required: true }],
        nodes: [{ id: "each", type: "map", config: { items: "{{inputs.numbers}}", pipelineId: perItem.id, concurrency: 2 } }],
        edges: [],
      },
      { numbers: [1, 2, 3, 4, 5] },
    );
    const done = await finished(started.id);
    expect(done.status, JSON.stringify(node(done, "each"))).toBe("succeeded");
    const output = node(done, "each").output as { items: Array<{ echo: { n: number; status: number } }>; count: number };
    expect(output.count).toBe(5);
    expect(output.items.map((item) => item.echo)).toEqual([1, 2, 3, 4, 5].map((n) => ({ n, status: 200 })));
    expect(receiver.maxInFlight("/item")).toBeLessThanOrEqual(2);
    expect(receiver.requests.filter((request) => request.path === "/item")).toHaveLength(5);
  });
});

describe("tool nodes", () => {
  it("runs a registered tool with resolved arguments, and fails on a tool that does not exist", async () => {
    const started = await run(
      {
        inputs: [{ name: "n", type: "number", required: true }],
        nodes: [
          { id: "calc", type: "tool", config: { tool: "calculator", arguments: { expression: "{{inputs.n}} * 6" } } },
          { id: "ghost", type: "tool", config: { tool: "no_such_tool" }, onError: "continue" },
        ],
        edges: [],
      },
      { n: 7 },
    );
    const done = await finished(started.id);
    expect(done.status).toBe("succeeded");
    expect(node(done, "calc").output).toMatchObject({ result: 42 });
    expect(node(done, "ghost")).toMatchObject({ status: "failed", error: 'Unknown tool "no_such_tool"' });
  });
});

describe("failures", () => {
  it("retries with backoff and then succeeds", async () => {
    receiver.behave("/flaky", { kind: "fail", times: 2 });
    const started = await run({
      nodes: [{ ...http("flaky", "/flaky"), retry: { maxAttempts: 3, backoffMs: 50, jitter: false } }],
      edges: [],
    });
    const done = await finished(started.id);
    expect(done.status).toBe("succeeded");
    expect(node(done, "flaky").attempts).toBe(3);
    // Every attempt carried the same idempotency key.
    expect(new Set(receiver.requests.map((request) => request.idempotencyKey))).toEqual(new Set([`${started.id}:flaky`]));
  });

  it("fails the run with the node's error when retries are exhausted, and never starts what follows", async () => {
    receiver.behave("/down", { kind: "fail", times: 100 });
    const started = await run({
      nodes: [{ ...http("down", "/down"), retry: { maxAttempts: 2, backoffMs: 20 } }, http("next", "/next")],
      edges: [{ from: "down", to: "next" }],
    });
    const done = await finished(started.id);
    expect(done.status).toBe("failed");
    expect(done.error).toContain('Node "down" failed');
    expect(done.error).toContain("503");
    expect(node(done, "down")).toMatchObject({ status: "failed", attempts: 2 });
    expect(node(done, "next").status).toBe("cancelled");
    expect(receiver.requests.filter((request) => request.path === "/next")).toHaveLength(0);
  });

  it("continues past a failed node whose policy says so, with its error as output", async () => {
    receiver.behave("/broken", { kind: "fail", times: 100, status: 400 });
    const started = await run({
      nodes: [{ ...http("broken", "/broken"), onError: "continue" }, http("after", "/after")],
      edges: [{ from: "broken", to: "after" }],
    });
    const done = await finished(started.id);
    expect(done.status).toBe("succeeded");
    expect(node(done, "broken").status).toBe("failed");
    expect(node(done, "broken").output).toEqual({ error: expect.stringContaining("HTTP 400") });
    expect(node(done, "after").status).toBe("succeeded");
  });

  it("follows an error branch", async () => {
    receiver.behave("/broken", { kind: "fail", times: 100, status: 400 });
    const started = await run({
      nodes: [{ ...http("broken", "/broken"), onError: "branch" }, http("happy", "/happy"), http("alert", "/alert")],
      edges: [
        { from: "broken", to: "happy" },
        { from: "broken", to: "alert", when: "error" },
      ],
    });
    const done = await finished(started.id);
    expect(done.status).toBe("succeeded");
    expect(node(done, "happy").status).toBe("skipped");
    expect(node(done, "alert").status).toBe("succeeded");
  });

  it("times a node out and fails it", async () => {
    receiver.behave("/hang", { kind: "hang" });
    const started = await run({ nodes: [{ ...http("slow", "/hang"), timeoutMs: 500 }], edges: [] });
    const done = await finished(started.id);
    expect(done.status).toBe("failed");
    expect(node(done, "slow").error).toContain("TIMEOUT");
  });

  it("fails a run that outlives its run timeout, cancelling what had not finished", async () => {
    const started = await run({
      timeoutMs: 1_000,
      nodes: [{ id: "long", type: "delay", config: { ms: 60_000 } }, http("after", "/after")],
      edges: [{ from: "long", to: "after" }],
    });
    const done = await finished(started.id);
    expect(done.status).toBe("failed");
    expect(done.error).toContain("TIMEOUT");
    expect(node(done, "long").status).toBe("cancelled");
    expect(node(done, "after").status).toBe("cancelled");
    expect(receiver.requests).toHaveLength(0);
  });

  it("opens a host's circuit breaker after five failures in a row: later calls fail fast without a request", async () => {
    // A host of its own (breakers are per host and per process), allowed like the main receiver.
    const flaky = await startEffectReceiver();
    allowedHosts.push(flaky.host);
    try {
      flaky.behave("/breaker", { kind: "fail", times: 1_000 });
      const definition = { nodes: [{ id: "call", type: "http", config: { method: "POST", url: `${flaky.url}/breaker` } }], edges: [] };
      for (let attempt = 0; attempt < 5; attempt += 1) expect((await finished((await run(definition)).id)).status).toBe("failed");
      expect(flaky.requests).toHaveLength(5);
      const blocked = await finished((await run(definition)).id);
      expect(blocked.status).toBe("failed");
      expect(node(blocked, "call").error).toContain("circuit breaker is open");
      expect(flaky.requests).toHaveLength(5);
    } finally {
      await flaky.close();
    }
  });

  it("cancels a run mid-flight: the running node is aborted and pending nodes never start", async () => {
    receiver.behave("/hang", { kind: "hang" });
    const started = await run({
      nodes: [http("first", "/first"), http("stuck", "/hang"), http("never", "/never")],
      edges: [
        { from: "first", to: "stuck" },
        { from: "stuck", to: "never" },
      ],
    });
    await receiver.waitForRequests("/hang", 1);
    const requestedAt = Date.now();
    const cancelled = await cancelPipelineRun(database.db, pipelineQueue, actor, { projectId, runId: started.id });
    expect(cancelled.status).toBe("cancelled");
    await expect
      .poll(async () => node(await getPipelineRun(database.db, { projectId, runId: started.id }), "stuck").status, {
        timeout: 5_000,
        interval: 50,
      })
      .toBe("cancelled");
    expect(Date.now() - requestedAt).toBeLessThan(5_000);
    const done = await getPipelineRun(database.db, { projectId, runId: started.id });
    expect(node(done, "never").status).toBe("cancelled");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests.filter((request) => request.path === "/never")).toHaveLength(0);
    await expect(cancelPipelineRun(database.db, pipelineQueue, actor, { projectId, runId: started.id })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
  });
});

describe("people and time", () => {
  const approvalFlow = (onError: "fail" | "continue" = "fail") => ({
    nodes: [{ id: "ask", type: "approval", config: { message: "Ship it?" }, onError }, http("ship", "/ship")],
    edges: [{ from: "ask", to: "ship" }],
  });

  it("waits for an approval, then continues; a second answer is refused", async () => {
    const started = await run(approvalFlow());
    await expect
      .poll(async () => node(await getPipelineRun(database.db, { projectId, runId: started.id }), "ask").status, { timeout: 10_000 })
      .toBe("waiting");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).toHaveLength(0);
    await decidePipelineApproval(database.db, pipelineQueue, actor, {
      projectId,
      runId: started.id,
      nodeId: "ask",
      isApproved: true,
      comment: "go",
    });
    await expect(
      decidePipelineApproval(database.db, pipelineQueue, actor, { projectId, runId: started.id, nodeId: "ask", isApproved: false }),
    ).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    const done = await finished(started.id);
    expect(done.status).toBe("succeeded");
    expect(node(done, "ask").output).toMatchObject({ approved: true, decidedBy: actor.userId, comment: "go" });
    expect(receiver.requests.map((request) => request.path)).toEqual(["/ship"]);
  });

  it("a rejection follows the node's error policy", async () => {
    const failing = await run(approvalFlow("fail"));
    const continuing = await run(approvalFlow("continue"));
    for (const started of [failing, continuing]) {
      await expect
        .poll(async () => node(await getPipelineRun(database.db, { projectId, runId: started.id }), "ask").status, { timeout: 10_000 })
        .toBe("waiting");
      await decidePipelineApproval(database.db, pipelineQueue, actor, {
        projectId,
        runId: started.id,
        nodeId: "ask",
        isApproved: false,
        comment: "no",
      });
    }
    const failed = await finished(failing.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("Rejected by a person: no");
    expect(node(failed, "ship").status).toBe("cancelled");
    const continued = await finished(continuing.id);
    expect(continued.status).toBe("succeeded");
    expect(node(continued, "ship").status).toBe("succeeded");
  });

  it("delays durably and then continues", async () => {
    const started = await run({
      nodes: [{ id: "pause", type: "delay", config: { ms: 600 } }, http("later", "/later")],
      edges: [{ from: "pause", to: "later" }],
    });
    const done = await finished(started.id);
    expect(done.status).toBe("succeeded");
    expect((node(done, "pause").output as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(550);
    expect((receiver.requests[0]?.at ?? 0) - started.startedAt.getTime()).toBeGreaterThanOrEqual(550);
  });
});

describe("crash between statements", () => {
  it("a repeated job completes a run whose last node finished but whose completion was lost", async () => {
    const started = await run({ nodes: [http("only", "/only")], edges: [] });
    expect((await finished(started.id)).status).toBe("succeeded");
    // As if the process died right after the node's finish: every node done, the run still marked running.
    await database.db.execute(`update pipeline_runs set status = 'running', finished_at = null, output = null where id = '${started.id}'`);
    await database.db.transaction((tx) => pipelineQueue.enqueueNodes(tx, [{ runId: started.id, nodeId: "only" }]));
    const healed = await finished(started.id);
    expect(healed.status).toBe("succeeded");
    expect(healed.output).toEqual({ only: expect.objectContaining({ status: 200 }) });
    expect(receiver.requests.filter((request) => request.path === "/only")).toHaveLength(1);
  });
});

describe("rerun from a node", () => {
  it("reuses upstream outputs and runs the node and its descendants again", async () => {
    const definition = {
      inputs: [{ name: "greeting", type: "string", default: "hello" }],
      nodes: [
        http("source", "/source"),
        { id: "word", type: "transform", config: { expression: "inputs.greeting" } },
        { ...http("sink", "/sink"), config: { method: "POST", url: `${receiver.url}/sink`, body: { word: "{{nodes.word.output}}" } } },
      ],
      edges: [
        { from: "source", to: "word" },
        { from: "word", to: "sink" },
      ],
    };
    const first = await finished((await run(definition)).id);
    expect(first.status).toBe("succeeded");
    receiver.reset();
    const again = await rerunPipelineFrom(database.db, pipelineQueue, actor, {
      projectId,
      runId: first.id,
      nodeId: "word",
      inputOverrides: { greeting: "bonjour" },
    });
    const done = await finished(again.id);
    expect(done.status).toBe("succeeded");
    expect(node(done, "source")).toMatchObject({ status: "succeeded", reusedFromRunId: first.id });
    expect(node(done, "word").output).toBe("bonjour");
    expect(receiver.requests.map((request) => request.path)).toEqual(["/sink"]);
    expect(JSON.parse(receiver.requests[0]?.body ?? "{}")).toEqual({ word: "bonjour" });
  });
});

describe("two workers", () => {
  it("execute every node of 50 concurrent runs started from two instances exactly once", async () => {
    workers.push(
      await startWorker({
        connectionString: database.url,
        logger,
        concurrency: 4,
        pollIntervalMs: 200,
        toolServices: { allowedHosts: [receiver.host] },
      }),
    );
    const pipeline = await newPipeline({
      nodes: [http("a", "/a"), http("b", "/b"), http("c", "/c"), http("d", "/d")],
      edges: [
        { from: "a", to: "b" },
        { from: "a", to: "c" },
        { from: "b", to: "d" },
        { from: "c", to: "d" },
      ],
    });
    // Two "web instances": separate pools, each starting half of the runs, as two API processes would.
    const secondInstance = createDatabaseClient(database.url, { max: 5 });
    const instances = [database.db, secondInstance.db];
    const runs = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        startPipelineRun(instances[index % 2] ?? database.db, pipelineQueue, actor, { projectId, pipelineId: pipeline.id }),
      ),
    ).finally(() => secondInstance.close());
    for (const started of runs) expect((await finished(started.id, 60_000)).status).toBe("succeeded");
    const counts = receiver.countByKey();
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    const attempts = await database.db.execute<{ attempts: number }>(
      `select attempts from pipeline_node_runs where run_id in (${runs.map((started) => `'${started.id}'`).join(",")})`,
    );
    expect(attempts.every((row) => row.attempts === 1)).toBe(true);
  }, 90_000);
});

describe("run_pipeline, the agents' tool", () => {
  it("starts a pipeline once per tool call, waits for its end and answers with the output", async () => {
    const pipeline = await newPipeline({
      inputs: [{ name: "city", type: "string", required: true }],
      nodes: [
        { id: "greet", type: "transform", config: { mapping: { text: "join(' ', ['hello', inputs.city])" } } },
        { ...http("notify", "/notify"), config: { method: "POST", url: `${receiver.url}/notify`, body: "{{nodes.greet.output.text}}" } },
      ],
      edges: [{ from: "greet", to: "notify" }],
    });
    const context = {
      db: database.db,
      projectId,
      agentId: "00000000-0000-4000-8000-000000000001",
      userId: actor.userId,
      sessionId: "00000000-0000-4000-8000-000000000002",
      idempotencyKey: "session-1:call-1",
      signal: new AbortController().signal,
      logger,
      services: { pipelineQueue },
    };
    const call = () => runPipelineTool.execute({ pipeline: pipeline.name, inputs: { city: "Lyon" }, waitSeconds: 20 }, context);
    const first = (await call()) as { runId: string; status: string; output: Record<string, { status: number }> };
    expect(first.status).toBe("succeeded");
    expect(first.output.notify?.status).toBe(200);
    expect(receiver.requests.map((request) => request.body)).toEqual(["hello Lyon"]);
    // The same call again (a retried turn): the same run, no second effect.
    const again = (await call()) as { runId: string };
    expect(again.runId).toBe(first.runId);
    expect(receiver.requests).toHaveLength(1);
    await expect(runPipelineTool.execute({ pipeline: "No such pipeline", inputs: {}, waitSeconds: 0 }, context)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
