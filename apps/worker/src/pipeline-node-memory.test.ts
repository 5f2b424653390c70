/**
 * A pipeline node job leaves nothing behind once it has finished: the soak (issue 12) found every http
 * node's claim, output and child logger kept for the life of the worker by an abort listener left on
 * the node's composite signal (Node keeps such a signal alive while it has a listener and has not
 * aborted). Here the job handler runs many nodes on one long-lived worker signal, as Graphile runs
 * them, and after a full collection none of the jobs' child loggers may still be alive.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createLogger, createPipeline, type Logger, signUp, startPipelineRun } from "@gathering/core";
import { pipelineQueue } from "@gathering/jobs";
import { createTestDatabase, type EffectReceiver, startEffectReceiver, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runPipelineNode } from "./handlers/run-pipeline-node";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

let database: TestDatabase;
let receiver: EffectReceiver;

beforeAll(async () => {
  database = await createTestDatabase();
  receiver = await startEffectReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await database?.drop();
});

it("keeps no finished http node job in memory (its child logger is collected)", async () => {
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "memory@example.com", name: "Memory", password: "correct horse battery staple" },
  );
  const actor = { userId: account.id };
  const pipeline = await createPipeline(database.db, actor, {
    projectId: account.projectId,
    name: "One call",
    definition: { nodes: [{ id: "call", type: "http", config: { method: "POST", url: `${receiver.url}/call`, body: { n: 1 } } }] },
  });
  const handle = runPipelineNode({ queue: pipelineQueue, toolServices: { allowedHosts: [receiver.host] } });
  const base = createLogger({ level: "silent" }) as Logger;
  const childLoggers: Array<WeakRef<object>> = [];
  // The handler makes one child logger per job; each is a witness of what the job's closures kept.
  const logger = new Proxy(base, {
    get: (target, property, receiverObject) =>
      property === "child"
        ? (...args: Parameters<Logger["child"]>) => {
            const child = target.child(...args);
            childLoggers.push(new WeakRef(child));
            return child;
          }
        : Reflect.get(target, property, receiverObject),
  });
  // One signal for every job, like Graphile's worker pool signal: it outlives them all.
  const workerSignal = new AbortController().signal;
  const jobs = 12;
  for (let index = 0; index < jobs; index += 1) {
    const run = await startPipelineRun(database.db, pipelineQueue, actor, {
      projectId: account.projectId,
      pipelineId: pipeline.id,
      inputs: {},
    });
    await handle(
      { runId: run.id, nodeId: "call" },
      { db: database.db, logger, jobId: String(index), attempt: 1, maxAttempts: 25, signal: workerSignal },
    );
  }
  expect(receiver.requests.filter((request) => request.path === "/call")).toHaveLength(jobs);
  expect(childLoggers.length).toBeGreaterThanOrEqual(jobs);

  // WeakRef targets stay alive until the current turn ends; collect on a later one.
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
  expect(childLoggers.filter((reference) => reference.deref() !== undefined)).toHaveLength(0);
});
