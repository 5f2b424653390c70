/** Load generation: autocannon through its programmatic API, a warm-up that is thrown away, then the measured run. */
import { loadavg } from "node:os";
import autocannon from "autocannon";
import { type CpuUsage, cpuBetween, sampleCpu } from "./cpu";
import { type LatencySummary, summarizeLatencies } from "./percentiles";

export interface LoadOptions {
  url: string;
  connections: number;
  pipelining: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Request headers, e.g. an API token or a session cookie. */
  headers?: Record<string, string>;
  /** Whose CPU time to account for: the process answering HTTP, and the app whose postgres processes to sum. */
  cpu?: { serverPid?: number; databaseTreeRootPid?: number };
}

export interface LoadResult {
  url: string;
  connections: number;
  pipelining: number;
  warmupSeconds: number;
  /** As measured, not as asked for. */
  durationSeconds: number;
  /** Responses received, whatever their status. */
  requests: number;
  requestsPerSecond: number;
  /** Every response's latency, from autocannon's per-response timings. */
  latencyMs: LatencySummary;
  /** autocannon's own figures (whole milliseconds), kept to cross-check ours. */
  autocannon: { requestsPerSecondMean: number; latencyP50Ms: number; latencyP99Ms: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  bytesPerSecond: number;
  cpuMs: CpuUsage;
  /** CPU milliseconds per response, per process group; null where /proc is unavailable. */
  cpuMsPerRequest: { server: number | null; database: number | null; harness: number };
  loadAverage: { before: number[]; after: number[] };
  /** The process that answered, and the measured window on the monotonic clock `--cpu-prof` timestamps use. */
  serverPid?: number;
  window: { startMicros: number; endMicros: number };
}

function runAutocannon(
  options: Pick<LoadOptions, "url" | "connections" | "pipelining" | "headers">,
  durationSeconds: number,
  onResponse?: (latencyMs: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        pipelining: options.pipelining,
        duration: durationSeconds,
        timeout: 30,
        headers: options.headers,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    if (onResponse) instance.on("response", (_client, _statusCode, _bytes, responseTime) => onResponse(responseTime));
  });
}

/** Load that is not measured: lets a freshly started server load its code and settle before any case counts. */
export async function warmUp(options: Pick<LoadOptions, "url" | "connections" | "pipelining" | "headers">, seconds: number): Promise<void> {
  if (seconds > 0) await runAutocannon(options, seconds);
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  // JIT, connection pools and Next's lazily compiled routes settle during the warm-up, which is not counted.
  await warmUp(options, options.warmupSeconds);

  const latencies: number[] = [];
  const loadBefore = loadavg();
  const cpuBefore = sampleCpu(options.cpu ?? {});
  const startMicros = Number(process.hrtime.bigint() / 1000n);
  const result = await runAutocannon(options, options.durationSeconds, (latencyMs) => latencies.push(latencyMs));
  const endMicros = Number(process.hrtime.bigint() / 1000n);
  const cpuAfter = sampleCpu(options.cpu ?? {});
  const loadAfter = loadavg();

  const requests = result.requests.total;
  const cpuMs = cpuBetween(cpuBefore, cpuAfter);
  const perRequest = (ms: number | null) => (ms === null || requests === 0 ? null : round(ms / requests, 4));
  return {
    url: options.url,
    connections: options.connections,
    pipelining: options.pipelining,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: result.duration,
    requests,
    requestsPerSecond: round(requests / result.duration, 1),
    latencyMs: summarizeLatencies(latencies),
    autocannon: {
      requestsPerSecondMean: result.requests.mean,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0])),
    bytesPerSecond: Math.round(result.throughput.mean),
    cpuMs,
    cpuMsPerRequest: {
      server: perRequest(cpuMs.serverMs),
      database: perRequest(cpuMs.databaseMs),
      harness: perRequest(cpuMs.harnessMs) ?? 0,
    },
    loadAverage: { before: loadBefore.map((value) => round(value)), after: loadAfter.map((value) => round(value)) },
    serverPid: options.cpu?.serverPid,
    window: { startMicros, endMicros },
  };
}
