/**
 * Soak: steady load for a bounded time (default 15 minutes) against 2 web instances and 2 workers,
 * sampling the memory of every process every few seconds: each Node process's heap after a full
 * collection (they run with --expose-gc and collect before answering) and its RSS, and PostgreSQL's
 * RSS (all its processes; shared buffers warming up make it grow, so it is reported, not judged).
 *
 * Verdict: the least-squares slope of each Node process's samples over the second half of the run
 * (the first half is warm-up: JIT, pools, caches filling). It fails if any heap grows faster than
 * 0.5 MB/min or any RSS faster than 2 MB/min. Why those: 0.5 MB/min of live heap is 720 MB a day,
 * enough to take a default-heap Node process down within days, while a process that has levelled off
 * shows slopes an order of magnitude smaller; RSS is noisier (the allocator returns memory late), so
 * its bar is looser. A shorter run can only catch faster leaks, and says so in its result.
 */
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Database } from "@gathering/db";
import { startEffectReceiver, startMockLlmServer } from "@gathering/testing";
import { sql } from "drizzle-orm";
import { startCluster } from "./cluster";
import { isAvoidingPorts, pickPort, startOutsideAvoidedPorts } from "./ports";
import { requestMix, runTraffic, type TrafficResult } from "./traffic";
import { setUpProject } from "./workload";

export const soakThresholds = { heapMbPerMinute: 0.5, rssMbPerMinute: 2 };

export interface ProcessTrend {
  process: string;
  samples: number;
  heapStartMb: number;
  heapEndMb: number;
  rssStartMb: number;
  rssEndMb: number;
  heapMbPerMinute: number;
  rssMbPerMinute: number;
}

export interface SoakResult {
  durationSeconds: number;
  isShortened: boolean;
  sampleEverySeconds: number;
  overallRate: number;
  connections: number;
  traffic: TrafficResult;
  thresholds: typeof soakThresholds;
  trends: ProcessTrend[];
  postgresRssMb: { start: number; end: number; mbPerMinute: number };
  worst: ProcessTrend;
  /** Heap snapshots taken when asked (`--heap-snapshots <dir>`): after warm-up and near the end. */
  heapSnapshots?: Array<{ process: string; minute: number; file: string }>;
  problems: string[];
}

/** Least-squares slope of y over x. */
export function slope(points: Array<{ x: number; y: number }>): number {
  if (points.length < 2) return 0;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  let numerator = 0;
  let denominator = 0;
  for (const point of points) {
    numerator += (point.x - meanX) * (point.y - meanY);
    denominator += (point.x - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

/** RSS of the PostgreSQL server under test: its postmaster and every child of it, summed (kB from /proc). */
function postgresRssBytes(postmasterPid: number): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const parent = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      if (Number(entry) !== postmasterPid && parent !== postmasterPid) continue;
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

/** The postmaster: the parent of the backend serving this connection. */
async function postmasterPidOf(db: Database): Promise<number> {
  const [row] = await db.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
  const status = readFileSync(`/proc/${row?.pid}/status`, "utf8");
  return Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

export async function runSoak(options: {
  databaseUrl: string;
  db: Database;
  durationSeconds: number;
  defaultDurationSeconds: number;
  overallRate: number;
  connections: number;
  sampleEverySeconds: number;
  /** When set, every process writes a heap snapshot here at the half (end of warm-up) and 30 s before the end. */
  heapSnapshotDir?: string;
  log: (message: string) => void;
}): Promise<SoakResult> {
  const receiver = await startOutsideAvoidedPorts(
    startEffectReceiver,
    (server) => Number(new URL(server.url).port),
    (server) => server.close(),
  );
  const mock = await startMockLlmServer(isAvoidingPorts() ? { port: await pickPort() } : {});
  const fixtures = await setUpProject(options.db, receiver, mock.baseUrls.openai);
  const [agent] = await options.db.execute<{ id: string }>(sql`select id from agents where project_id = ${fixtures.projectId} limit 1`);
  if (!agent) throw new Error("the soak project has no agent");
  const cluster = await startCluster({
    databaseUrl: options.databaseUrl,
    webInstances: 2,
    workers: 2,
    allowedHosts: [receiver.host],
    leaseSeconds: 15,
    workerConcurrency: 4,
    webEnv: { GATHERING_RATE_LIMIT_AUTHENTICATED_PER_MINUTE: "100000000", GATHERING_RATE_LIMIT_PER_MINUTE: "100000000" },
    log: options.log,
  });
  try {
    const processes = [...cluster.web, ...cluster.workers];
    const samples = new Map<string, Array<{ minute: number; heap: number; rss: number }>>(processes.map((item) => [item.name, []]));
    const postgres: Array<{ x: number; y: number }> = [];
    const postmasterPid = await postmasterPidOf(options.db);
    const started = performance.now();
    const minutes = () => (performance.now() - started) / 60_000;
    let isRunning = true;
    const sampler = (async () => {
      while (isRunning) {
        const at = minutes();
        await Promise.all(
          processes.map(async (item) => {
            const sample = await cluster.memory(item);
            if (sample) samples.get(item.name)?.push({ minute: at, heap: mb(sample.heapUsedBytes), rss: mb(sample.rssBytes) });
          }),
        );
        postgres.push({ x: at, y: mb(postgresRssBytes(postmasterPid)) });
        await new Promise((resolve) => setTimeout(resolve, options.sampleEverySeconds * 1000));
      }
    })();
    const heapSnapshots: NonNullable<SoakResult["heapSnapshots"]> = [];
    const snapshotTimers: NodeJS.Timeout[] = [];
    const snapshotsTaken: Promise<void>[] = [];
    const snapshotDir = options.heapSnapshotDir;
    if (snapshotDir) {
      mkdirSync(snapshotDir, { recursive: true });
      const late = Math.max(options.durationSeconds / 2 + 1, options.durationSeconds - 30);
      for (const [label, atSeconds] of [
        ["warm", options.durationSeconds / 2],
        ["late", late],
      ] as const) {
        snapshotTimers.push(
          setTimeout(() => {
            const at = minutes();
            snapshotsTaken.push(
              (async () => {
                // One at a time: each snapshot takes a core for seconds.
                for (const item of processes) {
                  const file = path.join(snapshotDir, `${item.name}-${label}.heapsnapshot`);
                  if (await cluster.heapSnapshot(item, file))
                    heapSnapshots.push({ process: item.name, minute: Math.round(at * 100) / 100, file });
                }
                options.log(`heap snapshots (${label}) written to ${snapshotDir}`);
              })(),
            );
          }, atSeconds * 1000),
        );
      }
    }
    // Two web instances behind no balancer: half the connections each.
    const requests = requestMix({ ...fixtures, agentId: agent.id });
    const halves = await Promise.all(
      cluster.web.map((web) =>
        runTraffic({
          url: web.identity,
          token: fixtures.token,
          requests,
          connections: Math.max(1, Math.round(options.connections / cluster.web.length)),
          durationSeconds: options.durationSeconds,
          overallRate: options.overallRate / cluster.web.length,
        }),
      ),
    );
    isRunning = false;
    await sampler;
    for (const timer of snapshotTimers) clearTimeout(timer);
    await Promise.all(snapshotsTaken);
    const [first, second] = halves as [TrafficResult, TrafficResult];
    const traffic: TrafficResult = {
      ...first,
      connections: first.connections + second.connections,
      requests: first.requests + second.requests,
      requestsPerSecond: first.requestsPerSecond + second.requestsPerSecond,
      errors: first.errors + second.errors,
      timeouts: first.timeouts + second.timeouts,
      non2xx: first.non2xx + second.non2xx,
      errorRate: (first.errors + first.non2xx + second.errors + second.non2xx) / Math.max(1, first.requests + second.requests),
      statusCodes: Object.fromEntries(
        [...new Set([...Object.keys(first.statusCodes), ...Object.keys(second.statusCodes)])].map((code) => [
          code,
          (first.statusCodes[code] ?? 0) + (second.statusCodes[code] ?? 0),
        ]),
      ),
    };
    const half = options.durationSeconds / 60 / 2;
    const trends: ProcessTrend[] = [...samples.entries()].map(([name, points]) => {
      const late = points.filter((point) => point.minute >= half);
      return {
        process: name,
        samples: points.length,
        heapStartMb: points[0]?.heap ?? 0,
        heapEndMb: points.at(-1)?.heap ?? 0,
        rssStartMb: points[0]?.rss ?? 0,
        rssEndMb: points.at(-1)?.rss ?? 0,
        heapMbPerMinute: Math.round(slope(late.map((point) => ({ x: point.minute, y: point.heap }))) * 1000) / 1000,
        rssMbPerMinute: Math.round(slope(late.map((point) => ({ x: point.minute, y: point.rss }))) * 1000) / 1000,
      };
    });
    const problems: string[] = [];
    for (const trend of trends) {
      if (trend.heapMbPerMinute > soakThresholds.heapMbPerMinute)
        problems.push(`${trend.process}: heap grows ${trend.heapMbPerMinute} MB/min in the second half`);
      if (trend.rssMbPerMinute > soakThresholds.rssMbPerMinute)
        problems.push(`${trend.process}: RSS grows ${trend.rssMbPerMinute} MB/min in the second half`);
      if (trend.samples < 4) problems.push(`${trend.process}: only ${trend.samples} memory samples`);
    }
    if (traffic.errorRate > 0) problems.push(`${(traffic.errorRate * 100).toFixed(2)} % of requests failed`);
    if (cluster.unexpectedExits.length > 0) problems.push(`${cluster.unexpectedExits.length} process(es) exited on their own`);
    const worst = trends.reduce((a, b) =>
      b.heapMbPerMinute / soakThresholds.heapMbPerMinute > a.heapMbPerMinute / soakThresholds.heapMbPerMinute ? b : a,
    );
    const latePostgres = postgres.filter((point) => point.x >= half);
    return {
      durationSeconds: options.durationSeconds,
      isShortened: options.durationSeconds < options.defaultDurationSeconds,
      sampleEverySeconds: options.sampleEverySeconds,
      overallRate: options.overallRate,
      connections: options.connections,
      traffic,
      thresholds: soakThresholds,
      trends,
      postgresRssMb: {
        start: postgres[0]?.y ?? 0,
        end: postgres.at(-1)?.y ?? 0,
        mbPerMinute: Math.round(slope(latePostgres) * 1000) / 1000,
      },
      worst,
      ...(snapshotDir ? { heapSnapshots } : {}),
      problems,
    };
  } finally {
    await cluster.stop();
    await mock.close();
    await receiver.close();
  }
}
