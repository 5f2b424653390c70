/**
 * Load: the request mix (traffic.ts) against one web instance (with one worker running the started
 * pipelines) at rising concurrency, one step per connection count, until p99 passes 250 ms or any
 * request errs. The knee is the step with the most requests/s among those with p99 under 250 ms and
 * no errors. Rate limits are raised for the run: it measures the server, not the limiter.
 */
import { performance } from "node:perf_hooks";
import type { Database } from "@gathering/db";
import { startEffectReceiver, startMockLlmServer } from "@gathering/testing";
import { sql } from "drizzle-orm";
import { summarizeLatencies } from "../support/percentiles";
import { startCluster } from "./cluster";
import { isAvoidingPorts, pickPort, startOutsideAvoidedPorts } from "./ports";
import { requestMix, runTraffic, type TrafficResult } from "./traffic";
import { setUpProject } from "./workload";

export interface LoadStep {
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errorRate: number;
  statusCodes: Record<string, number>;
  errors: number;
}

export interface ProcedureLatency {
  procedure: string;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadRunResult {
  /** Each request of the mix alone, one at a time after the steps: where the time goes. */
  breakdown: ProcedureLatency[];
  stepSeconds: number;
  p99LimitMs: number;
  steps: LoadStep[];
  knee: LoadStep | null;
  stopReason: string;
}

const round = (value: number) => Math.round(value * 10) / 10;

function toStep(result: TrafficResult): LoadStep {
  return {
    connections: result.connections,
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: round(result.latencyMs.p50),
    p99Ms: round(result.latencyMs.p99),
    errorRate: Math.round(result.errorRate * 10_000) / 10_000,
    statusCodes: result.statusCodes,
    errors: result.errors,
  };
}

export async function runLoad(options: {
  databaseUrl: string;
  db: Database;
  stepSeconds: number;
  connectionSteps: number[];
  p99LimitMs: number;
  log: (message: string) => void;
}): Promise<LoadRunResult> {
  const receiver = await startOutsideAvoidedPorts(
    startEffectReceiver,
    (server) => Number(new URL(server.url).port),
    (server) => server.close(),
  );
  const mock = await startMockLlmServer(isAvoidingPorts() ? { port: await pickPort() } : {});
  const fixtures = await setUpProject(options.db, receiver, mock.baseUrls.openai);
  const [agent] = await options.db.execute<{ id: string }>(sql`select id from agents where project_id = ${fixtures.projectId} limit 1`);
  if (!agent) throw new Error("the load project has no agent");
  const cluster = await startCluster({
    databaseUrl: options.databaseUrl,
    webInstances: 1,
    workers: 1,
    allowedHosts: [receiver.host],
    leaseSeconds: 15,
    workerConcurrency: 4,
    webEnv: {
      GATHERING_RATE_LIMIT_AUTHENTICATED_PER_MINUTE: "100000000",
      GATHERING_RATE_LIMIT_PER_MINUTE: "100000000",
      DATABASE_POOL_SIZE: "20",
    },
    log: options.log,
  });
  try {
    const url = cluster.web[0]?.identity as string;
    const requests = requestMix({ ...fixtures, agentId: agent.id });
    options.log("warming up (5 s at 4 connections)…");
    await runTraffic({ url, token: fixtures.token, requests, connections: 4, durationSeconds: 5 });
    const steps: LoadStep[] = [];
    let stopReason = `reached ${options.connectionSteps.at(-1)} connections`;
    for (const connections of options.connectionSteps) {
      const step = toStep(await runTraffic({ url, token: fixtures.token, requests, connections, durationSeconds: options.stepSeconds }));
      steps.push(step);
      options.log(
        `${connections} connections: ${step.requestsPerSecond} req/s, p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms, errors ${(step.errorRate * 100).toFixed(2)} % ${JSON.stringify(step.statusCodes)}`,
      );
      if (step.errorRate > 0) {
        stopReason = `errors at ${connections} connections`;
        break;
      }
      if (step.p99Ms >= options.p99LimitMs) {
        stopReason = `p99 ${step.p99Ms} ms at ${connections} connections`;
        break;
      }
    }
    const breakdown: ProcedureLatency[] = [];
    for (const request of requests) {
      // A mutation's body comes from its setupRequest (fresh names each time), as under autocannon.
      const prepare = () => (typeof request.setupRequest === "function" ? request.setupRequest(request, {}) : request);
      const samples: number[] = [];
      for (let index = 0; index < 30; index += 1) {
        const prepared = prepare();
        const before = performance.now();
        const response = await fetch(`${url}${prepared.path}`, {
          method: prepared.method,
          headers: { authorization: `Bearer ${fixtures.token}`, ...(prepared.headers as Record<string, string> | undefined) },
          body: prepared.method === "POST" ? (prepared.body as string) : undefined,
        });
        await response.arrayBuffer();
        samples.push(performance.now() - before);
      }
      const summary = summarizeLatencies(samples);
      breakdown.push({
        procedure: (request.path ?? "").split("?")[0]?.replace("/api/trpc/", "") ?? "",
        p50Ms: round(summary.p50),
        p99Ms: round(summary.p99),
      });
    }
    options.log(`one at a time: ${breakdown.map((item) => `${item.procedure} ${item.p50Ms} ms`).join(", ")}`);
    const within = steps.filter((step) => step.p99Ms < options.p99LimitMs && step.errorRate === 0);
    const knee = within.reduce<LoadStep | null>(
      (best, step) => (!best || step.requestsPerSecond > best.requestsPerSecond ? step : best),
      null,
    );
    return { breakdown, stepSeconds: options.stepSeconds, p99LimitMs: options.p99LimitMs, steps, knee, stopReason };
  } finally {
    await cluster.stop();
    await mock.close();
    await receiver.close();
  }
}
