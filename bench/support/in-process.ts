/** Timings taken inside the harness process (no HTTP load generator), in the harness's result shape. */
import { performance } from "node:perf_hooks";
import type { LoadResult } from "./load";
import { summarizeLatencies } from "./percentiles";

/** In-process timings in the harness's result shape: one "connection", every turn a request. */
export function inProcessResult(url: string, samples: number[], durationSeconds: number, warmupSeconds: number): LoadResult {
  const latencyMs = summarizeLatencies(samples);
  return {
    url,
    connections: 1,
    pipelining: 1,
    warmupSeconds,
    durationSeconds,
    requests: samples.length,
    requestsPerSecond: samples.length / durationSeconds,
    latencyMs,
    autocannon: {
      requestsPerSecondMean: samples.length / durationSeconds,
      latencyP50Ms: Math.round(latencyMs.p50),
      latencyP99Ms: Math.round(latencyMs.p99),
    },
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    statusCodes: { "200": samples.length },
    bytesPerSecond: 0,
    cpuMs: { serverMs: null, databaseMs: null, harnessMs: 0 },
    cpuMsPerRequest: { server: null, database: null, harness: 0 },
    loadAverage: { before: [], after: [] },
    window: { startMicros: 0, endMicros: 0 },
  };
}

export async function timeFor(seconds: number, turn: () => Promise<unknown>): Promise<{ samples: number[]; durationSeconds: number }> {
  const samples: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    const before = performance.now();
    await turn();
    samples.push(performance.now() - before);
  }
  return { samples, durationSeconds: (performance.now() - started) / 1000 };
}
