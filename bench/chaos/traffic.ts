/**
 * The request mix of the load and soak runs: what a dashboard and an SDK client send, over the tRPC
 * API with a project API token, one procedure per request (no batching). Per cycle of ten requests
 * each connection sends four lists, three gets, two creates (an agent, a schedule) and one pipeline
 * run start. autocannon drives it; every response's latency is kept.
 */
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { type LatencySummary, summarizeLatencies } from "../support/percentiles";
import type { Fixtures } from "./workload";

export interface TrafficResult {
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** (errors + non-2xx) / requests. */
  errorRate: number;
}

function query(procedure: string, input: unknown): autocannon.Request {
  return { method: "GET", path: `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}` };
}

function mutation(procedure: string, input: () => unknown): autocannon.Request {
  return {
    method: "POST",
    path: `/api/trpc/${procedure}`,
    headers: { "content-type": "application/json" },
    body: "{}",
    // A fresh body per request: created names must differ.
    setupRequest: (request) => ({ ...request, body: JSON.stringify({ json: input() }) }),
  };
}

export function requestMix(fixtures: Fixtures & { agentId: string }): autocannon.Request[] {
  const { projectId } = fixtures;
  const unique = () => randomBytes(5).toString("hex");
  return [
    query("agents.list", { projectId }),
    query("pipelines.get", { projectId, pipelineId: fixtures.pipelineId }),
    query("pipelines.list", { projectId }),
    mutation("agents.create", () => ({
      projectId,
      name: `Load ${unique()}`,
      role: "helper",
      model: { provider: "openai", model: "gpt-4o-mini" },
    })),
    query("circles.list", { projectId }),
    query("agents.get", { projectId, agentId: fixtures.agentId }),
    mutation("pipelines.run", () => ({ projectId, pipelineId: fixtures.pipelineId, inputs: { ticket: `load-${unique()}` } })),
    query("schedules.list", { projectId }),
    query("circles.get", { projectId, circleId: fixtures.circleId }),
    mutation("schedules.create", () => ({
      projectId,
      name: `Load ${unique()}`,
      cron: "0 0 1 1 *",
      action: { kind: "send_notification", title: "load", body: "load", inApp: {} },
    })),
  ];
}

export function runTraffic(options: {
  url: string;
  token: string;
  requests: autocannon.Request[];
  connections: number;
  durationSeconds: number;
  /** Requests per second across all connections; unset means as fast as answers come. */
  overallRate?: number;
}): Promise<TrafficResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: 10,
        headers: { authorization: `Bearer ${options.token}` },
        requests: options.requests,
        ...(options.overallRate ? { overallRate: options.overallRate } : {}),
      },
      (error, result) => {
        if (error) return reject(error);
        const requests = result.requests.total;
        const statusCodes = Object.fromEntries(
          Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, (stat as { count?: number }).count ?? 0]),
        );
        resolve({
          connections: options.connections,
          durationSeconds: result.duration,
          requests,
          requestsPerSecond: Math.round((requests / result.duration) * 10) / 10,
          latencyMs: summarizeLatencies(latencies),
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          statusCodes,
          errorRate: requests === 0 ? 1 : (result.errors + result.non2xx) / requests,
        });
      },
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}
