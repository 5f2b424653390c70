/**
 * Crash recovery with a real SIGKILL: a worker process dies in the middle of node 3 of a 5-node chain;
 * another worker's reaper releases the dead worker's job once its heartbeat is older than the lease,
 * node 3 runs again with the same idempotency key, and the run completes with attempts [1,1,2,1,1],
 * one effect per node and no job left locked.
 */
import { createPipeline, getPipelineRun, signUp, startPipelineRun } from "@gathering/core";
import { pipelineQueue } from "@gathering/jobs";
import { createTestDatabase, type EffectReceiver, startEffectReceiver, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { workerProcesses } from "./test-support/worker-process";

let database: TestDatabase;
let receiver: EffectReceiver;
const workers = workerProcesses(() => database.url);

beforeAll(async () => {
  database = await createTestDatabase();
  receiver = await startEffectReceiver();
});
afterAll(async () => {
  workers.stopAll();
  await receiver?.close();
  await database?.drop();
});

it("resumes a SIGKILLed worker's node on another worker within the lease, without repeating effects", async () => {
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "crash@example.com", name: "Crash", password: "correct horse battery staple" },
  );
  const actor = { userId: account.id };
  const ids = ["n1", "n2", "n3", "n4", "n5"];
  const pipeline = await createPipeline(database.db, actor, {
    projectId: account.projectId,
    name: "Five steps",
    definition: {
      nodes: ids.map((id) => ({ id, type: "http", config: { method: "POST", url: `${receiver.url}/${id}`, body: { step: id } } })),
      edges: ids.slice(1).map((id, index) => ({ from: ids[index], to: id })),
    },
  });
  receiver.behave("/n3", { kind: "hang" });
  const doomed = await workers.start({ allowedHosts: [receiver.host] });
  const run = await startPipelineRun(database.db, pipelineQueue, actor, { projectId: account.projectId, pipelineId: pipeline.id });
  await receiver.waitForRequests("/n3", 1, 20_000);

  doomed.kill("SIGKILL");
  const killedAt = Date.now();
  receiver.behave("/n3", { kind: "ok" });
  await workers.start({ allowedHosts: [receiver.host] });

  await expect
    .poll(async () => (await getPipelineRun(database.db, { projectId: account.projectId, runId: run.id })).status, {
      timeout: 30_000,
      interval: 100,
    })
    .toBe("succeeded");
  const recoveredAt = receiver.requests.filter((request) => request.path === "/n3")[1]?.at ?? Number.POSITIVE_INFINITY;
  // Lease 2 s after the last heartbeat, plus a reaper tick and the job pickup.
  expect(recoveredAt - killedAt).toBeLessThan(8_000);

  const done = await getPipelineRun(database.db, { projectId: account.projectId, runId: run.id });
  expect(ids.map((id) => done.nodes.find((node) => node.nodeId === id)?.attempts)).toEqual([1, 1, 2, 1, 1]);
  const effects = receiver.effects();
  for (const id of ids) expect([...(effects.get(`/${id}`) ?? [])]).toEqual([`${run.id}:${id}`]);
  expect(ids.map((id) => receiver.requests.filter((request) => request.path === `/${id}`).length)).toEqual([1, 1, 2, 1, 1]);
  const locked = await database.db.execute<{ n: number }>(
    "select count(*)::int as n from graphile_worker._private_jobs where locked_by is not null",
  );
  expect(locked[0]?.n).toBe(0);
}, 90_000);
