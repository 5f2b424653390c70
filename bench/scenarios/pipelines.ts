/**
 * The pipeline engine against plain Graphile Worker on the same PostgreSQL and the same worker:
 * - dispatch: a 200-node chain of no-op nodes, time from one node's start to the next's (the node's
 *   claim, finish, successor enqueue and pickup), beside a chain of raw jobs that each enqueue the next;
 * - wide: one run of a 1,000-node wide DAG (a root and 999 parallel nodes), nodes/s, beside 1,000 raw jobs;
 * - throughput: 50 runs of 20-node chains at once, node executions/s, beside 50 raw chains of 20.
 * Targets: dispatch p50 at most 1.5x the raw hop (and under 2.5 ms), p99 under 10 ms; at least 1,000
 * node executions/s across concurrent runs.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createLogger, createPipeline, getPipelineRun, type Logger, signUp, startPipelineRun } from "@gathering/core";
import { createDatabaseClient } from "@gathering/db";
import { startEmbeddedPostgres } from "@gathering/db/embedded";
import { defineJob, enqueue, pipelineQueue } from "@gathering/jobs";
import { migrateDatabase } from "@gathering/jobs/migrate";
import { findFreePort } from "@gathering/testing";
import { registerJob, startWorker } from "@gathering/worker";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { inProcessResult } from "../support/in-process";
import type { CaseResult, Scenario } from "../support/types";

const chainLength = 200;
const chainsMeasured = 4;
const wideWidth = 999;
const concurrentRuns = 50;
const concurrentChainLength = 20;
const concurrency = 4;

const hopJob = defineJob({
  id: "bench:hop",
  payload: z.object({ chain: z.string(), index: z.number().int(), length: z.number().int() }),
  maxAttempts: 1,
});
const noopJob = defineJob({ id: "bench:noop", payload: z.object({ batch: z.string() }), maxAttempts: 1 });

function noopNode(id: string) {
  return { id, type: "delay", config: { ms: 0 } };
}

function chainDefinition(length: number) {
  const ids = Array.from({ length }, (_, index) => `n${index}`);
  return { nodes: ids.map(noopNode), edges: ids.slice(1).map((id, index) => ({ from: ids[index] as string, to: id })) };
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const pipelinesBench: Scenario = {
  id: "pipelines",
  title: "Pipeline engine: node dispatch and throughput beside plain Graphile Worker jobs",
  async run(context) {
    const directory = await mkdtemp(path.join(tmpdir(), "gathering-bench-pipelines-"));
    await chmod(directory, 0o755);
    context.defer(() => rm(directory, { recursive: true, force: true }));
    // The same server settings as `gathering start` (durable commits), not the test suite's fsync=off.
    const server = await startEmbeddedPostgres({
      directory: path.join(directory, "data"),
      port: await findFreePort(),
      password: randomBytes(12).toString("hex"),
      database: "gathering",
      isPersistent: false,
    });
    context.defer(() => server.stop());
    await migrateDatabase(server.connectionString);
    const client = createDatabaseClient(server.connectionString, { max: 10 });
    context.defer(() => client.close());
    const logger = createLogger({ level: "silent" }) as Logger;

    const hops = new Map<string, number[]>();
    const noops = new Map<string, number>();
    const worker = await startWorker({
      connectionString: server.connectionString,
      logger,
      concurrency,
      pollIntervalMs: 1_000,
      extraJobs: [
        registerJob(hopJob, async (payload, job) => {
          const times = hops.get(payload.chain) ?? [];
          times.push(performance.timeOrigin + performance.now());
          hops.set(payload.chain, times);
          if (payload.index + 1 < payload.length) await enqueue(job.db, hopJob, { ...payload, index: payload.index + 1 });
        }),
        registerJob(noopJob, async (payload) => {
          noops.set(payload.batch, (noops.get(payload.batch) ?? 0) + 1);
        }),
      ],
    });
    context.defer(() => worker.stop());

    const account = await signUp(
      client.db,
      { passwordHashCost: 4, signUpPolicy: "open" },
      { email: "pipelines-bench@example.com", name: "Bench", password: "correct horse battery staple" },
    );
    const actor = { userId: account.id };
    const projectId = account.projectId;
    const create = (name: string, definition: unknown) => createPipeline(client.db, actor, { projectId, name, definition });
    const runToEnd = async (pipelineId: string) => {
      const run = await startPipelineRun(client.db, pipelineQueue, actor, { projectId, pipelineId });
      await waitFor(async () => (await getPipelineRun(client.db, { projectId, runId: run.id })).status !== "running", 120_000, "a run");
      const done = await getPipelineRun(client.db, { projectId, runId: run.id });
      if (done.status !== "succeeded") throw new Error(`bench run ${done.status}: ${done.error}`);
      return done;
    };
    const rawChain = async (length: number) => {
      const chain = randomBytes(6).toString("hex");
      await enqueue(client.db, hopJob, { chain, index: 0, length });
      await waitFor(() => (hops.get(chain)?.length ?? 0) >= length, 120_000, "a raw chain");
      return hops.get(chain) ?? [];
    };

    context.log("warming up…");
    const warmChain = await create("warm chain", chainDefinition(20));
    await runToEnd(warmChain.id);
    await rawChain(50);

    context.log(`chains of ${chainLength}: raw hops, then pipeline nodes…`);
    const rawHopSamples: number[] = [];
    let rawChainSeconds = 0;
    for (let round = 0; round < chainsMeasured; round += 1) {
      const times = await rawChain(chainLength);
      for (let index = 1; index < times.length; index += 1) rawHopSamples.push((times[index] as number) - (times[index - 1] as number));
      rawChainSeconds += ((times.at(-1) as number) - (times[0] as number)) / 1000;
    }
    const chain = await create("chain", chainDefinition(chainLength));
    const nodeHopSamples: number[] = [];
    let nodeChainSeconds = 0;
    for (let round = 0; round < chainsMeasured; round += 1) {
      const done = await runToEnd(chain.id);
      const starts = done.nodes
        .map((node) => ({ index: Number(node.nodeId.slice(1)), at: node.startedAt?.getTime() ?? 0 }))
        .sort((a, b) => a.index - b.index)
        .map((node) => node.at);
      for (let index = 1; index < starts.length; index += 1) nodeHopSamples.push((starts[index] as number) - (starts[index - 1] as number));
      nodeChainSeconds += ((starts.at(-1) as number) - (starts[0] as number)) / 1000;
    }

    context.log(`a wide DAG of ${wideWidth + 1} nodes, then ${wideWidth + 1} raw jobs…`);
    const wide = await create("wide", {
      nodes: [noopNode("root"), ...Array.from({ length: wideWidth }, (_, index) => noopNode(`w${index}`))],
      edges: Array.from({ length: wideWidth }, (_, index) => ({ from: "root", to: `w${index}` })),
    });
    const wideStarted = performance.now();
    await runToEnd(wide.id);
    const wideSeconds = (performance.now() - wideStarted) / 1000;
    const batch = randomBytes(6).toString("hex");
    const rawWideStarted = performance.now();
    await client.db.execute(sql`
      select 1 from graphile_worker.add_jobs(array(
        select json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(
          Array.from({ length: wideWidth + 1 }, () => ({ identifier: noopJob.id, payload: { batch }, max_attempts: 1 })),
        )}::json)))`);
    await waitFor(() => (noops.get(batch) ?? 0) >= wideWidth + 1, 120_000, "raw wide jobs");
    const rawWideSeconds = (performance.now() - rawWideStarted) / 1000;

    context.log(`${concurrentRuns} concurrent runs of ${concurrentChainLength}-node chains, then raw chains…`);
    const short = await create("short chain", chainDefinition(concurrentChainLength));
    const manyStarted = performance.now();
    await Promise.all(Array.from({ length: concurrentRuns }, () => runToEnd(short.id)));
    const manySeconds = (performance.now() - manyStarted) / 1000;
    const rawManyStarted = performance.now();
    await Promise.all(Array.from({ length: concurrentRuns }, () => rawChain(concurrentChainLength)));
    const rawManySeconds = (performance.now() - rawManyStarted) / 1000;

    const nodeDispatch = inProcessResult("pipelines:run-node chain", nodeHopSamples, nodeChainSeconds, 0);
    const rawDispatch = inProcessResult("graphile job enqueuing the next", rawHopSamples, rawChainSeconds, 0);
    const cases: CaseResult[] = [
      {
        id: "node-dispatch",
        label: `chain of ${chainLength} no-op nodes: node start to next node start`,
        role: "subject",
        baselineId: "raw-hop",
        description:
          "read the run and node, execute (delay 0), then one statement: node done, successor counted down and queued, its job added, events, run count; pickup",
        target: { maxP99Ms: 10 },
        load: nodeDispatch,
      },
      {
        id: "raw-hop",
        label: `chain of ${chainLength} raw Graphile jobs, each adding the next`,
        role: "baseline",
        description: "the job runs, add_job for the next one, the worker picks it up",
        load: rawDispatch,
      },
      {
        id: "wide-dag",
        label: `one run of a ${wideWidth + 1}-node wide DAG`,
        role: "subject",
        baselineId: "raw-wide",
        description: "root node, then 999 parallel no-op nodes; nodes/s over the whole run",
        load: {
          ...inProcessResult("wide run", [wideSeconds * 1000], wideSeconds, 0),
          requests: wideWidth + 1,
          requestsPerSecond: (wideWidth + 1) / wideSeconds,
        },
      },
      {
        id: "raw-wide",
        label: `${wideWidth + 1} raw Graphile jobs added at once`,
        role: "baseline",
        load: {
          ...inProcessResult("raw wide", [rawWideSeconds * 1000], rawWideSeconds, 0),
          requests: wideWidth + 1,
          requestsPerSecond: (wideWidth + 1) / rawWideSeconds,
        },
      },
      {
        id: "concurrent-runs",
        label: `${concurrentRuns} concurrent runs of ${concurrentChainLength}-node chains`,
        role: "subject",
        baselineId: "raw-concurrent",
        description: "node executions/s across many runs at once",
        target: { minRequestsPerSecond: 1_000 },
        load: {
          ...inProcessResult("concurrent runs", [manySeconds * 1000], manySeconds, 0),
          requests: concurrentRuns * concurrentChainLength,
          requestsPerSecond: (concurrentRuns * concurrentChainLength) / manySeconds,
        },
      },
      {
        id: "raw-concurrent",
        label: `${concurrentRuns} concurrent raw chains of ${concurrentChainLength} jobs`,
        role: "baseline",
        load: {
          ...inProcessResult("raw concurrent", [rawManySeconds * 1000], rawManySeconds, 0),
          requests: concurrentRuns * concurrentChainLength,
          requestsPerSecond: (concurrentRuns * concurrentChainLength) / rawManySeconds,
        },
      },
    ];
    const ratioP50 = nodeDispatch.latencyMs.p50 / rawDispatch.latencyMs.p50;
    const ratioP99 = nodeDispatch.latencyMs.p99 / rawDispatch.latencyMs.p99;
    const nodesPerSecond = (concurrentRuns * concurrentChainLength) / manySeconds;
    const notes = [
      `Dispatch per node: p50 ${nodeDispatch.latencyMs.p50.toFixed(2)} ms, p99 ${nodeDispatch.latencyMs.p99.toFixed(2)} ms; raw Graphile hop p50 ${rawDispatch.latencyMs.p50.toFixed(2)} ms, p99 ${rawDispatch.latencyMs.p99.toFixed(2)} ms; ratio p50 ${ratioP50.toFixed(2)}x, p99 ${ratioP99.toFixed(2)}x (target at most 1.5x, p50 under 2.5 ms, p99 under 10 ms: ${ratioP50 <= 1.5 && nodeDispatch.latencyMs.p50 < 2.5 && nodeDispatch.latencyMs.p99 < 10 ? "met" : "missed"}).`,
      `Wide DAG: ${((wideWidth + 1) / wideSeconds).toFixed(0)} nodes/s in one run, raw jobs ${((wideWidth + 1) / rawWideSeconds).toFixed(0)} jobs/s (ratio ${(rawWideSeconds / wideSeconds).toFixed(2)}).`,
      `Concurrent runs: ${nodesPerSecond.toFixed(0)} node executions/s, raw chains ${((concurrentRuns * concurrentChainLength) / rawManySeconds).toFixed(0)} jobs/s (target at least 1,000 nodes/s: ${nodesPerSecond >= 1000 ? "met" : "missed"}). Worker concurrency ${concurrency}, durable commits.`,
    ];
    return { cases, notes };
  },
};

export default pipelinesBench;
