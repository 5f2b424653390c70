/**
 * The proving ground's commands (see README "Proving ground"):
 *   npm run chaos [-- --duration 5m --kill-every 10s]   faults under a steady stream of work, then the checker
 *   npm run load  [-- --step 10s --max-connections 128]  rising concurrency until p99 > 250 ms or errors
 *   npm run soak  [-- --duration 15m --rate 60]          steady load, memory slope of every process
 *   npm run dead-rows [-- --jobs 1000000]                queue throughput, fresh vs after N processed jobs
 * Each starts its own embedded PostgreSQL (durable settings, as `gathering start`), writes
 * bench/results/proving-ground/<kind>.json, rebuilds the summary in BENCHMARKS.md, and exits 1 when
 * its checks fail.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDatabaseClient } from "@gathering/db";
import { startEmbeddedPostgres } from "@gathering/db/embedded";
import { migrateDatabase } from "@gathering/jobs/migrate";
import { pickPort, setAvoidedPorts } from "./ports";
import { type ProvingKind, updateProvingSummary, writeProvingResult } from "./report";
import { runChaos } from "./run-chaos";
import { runDeadRows } from "./run-dead-rows";
import { runLoad } from "./run-load";
import { runSoak } from "./run-soak";

const usage = `Usage: tsx bench/chaos/cli.ts <chaos|load|soak|dead-rows> [options]
  chaos      --duration <5m> --kill-every <10s> --lease <5s>
  load       --step <10s> --max-connections <128> --p99 <250>
  soak       --duration <15m> --rate <60 req/s> --connections <8> --sample-every <5s> [--heap-snapshots <dir>]
  dead-rows  --jobs <1000000> --measure <20000> --batch <20000> --concurrency <4>
  any        --avoid-ports <54391,54600-54699>  ports (and ranges) its own servers must not take`;

/** "90", "90s", "5m" -> milliseconds. */
function duration(value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new Error(`not a duration: ${value} (write 90s or 5m)`);
  const number = Number(match[1]);
  return match[2] === "m" ? number * 60_000 : match[2] === "ms" ? number : number * 1000;
}

function count(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value.replaceAll("_", ""));
  if (!Number.isInteger(number) || number <= 0) throw new Error(`not a positive integer: ${value}`);
  return number;
}

async function main(): Promise<number> {
  const [kind, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      duration: { type: "string" },
      "kill-every": { type: "string" },
      lease: { type: "string" },
      step: { type: "string" },
      "max-connections": { type: "string" },
      p99: { type: "string" },
      rate: { type: "string" },
      connections: { type: "string" },
      "sample-every": { type: "string" },
      "heap-snapshots": { type: "string" },
      jobs: { type: "string" },
      measure: { type: "string" },
      batch: { type: "string" },
      concurrency: { type: "string" },
      "avoid-ports": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !kind || !["chaos", "load", "soak", "dead-rows"].includes(kind)) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  setAvoidedPorts(values["avoid-ports"]);
  const log = (message: string) => console.log(`[${kind}] ${message}`);
  const command = `npm run ${kind}${rest.length > 0 ? ` -- ${rest.join(" ")}` : ""}`;

  const directory = await mkdtemp(path.join(tmpdir(), `gathering-${kind}-`));
  await chmod(directory, 0o755);
  const server = await startEmbeddedPostgres({
    directory: path.join(directory, "data"),
    port: await pickPort(),
    password: randomBytes(12).toString("hex"),
    database: "gathering",
    isPersistent: false,
    // Dead rows: commits not flushed one by one, so what is timed is the queue's own work (which dead
    // rows would slow), not the disk's fsync latency, which hides it on a small machine.
    settings: { max_connections: "200", ...(kind === "dead-rows" ? { synchronous_commit: "off" } : {}) },
  });
  const stopAll = async () => {
    await client.close().catch(() => {});
    await server.stop().catch(() => {});
    await rm(directory, { recursive: true, force: true });
  };
  await migrateDatabase(server.connectionString);
  const client = createDatabaseClient(server.connectionString, { max: 5, applicationName: "gathering-proving-ground" });
  process.once("SIGINT", () => {
    void stopAll().finally(() => process.exit(130));
  });
  const databaseUrl = server.connectionString;
  try {
    let isPassed: boolean;
    let result: unknown;
    let summary: string[];
    if (kind === "chaos") {
      const chaos = await runChaos({
        databaseUrl,
        db: client.db,
        durationMs: duration(values.duration, 5 * 60_000),
        killEveryMs: duration(values["kill-every"], 10_000),
        workers: 3,
        webInstances: 2,
        leaseSeconds: duration(values.lease, 5_000) / 1000,
        rates: { pipeline: 2, circle: 0.5, fire: 1 },
        drainTimeoutMs: 180_000,
        log,
      });
      isPassed = chaos.isPassed;
      result = chaos;
      summary = [
        `checked ${chaos.check.submitted} submissions: ${chaos.check.doneOnce} done once, ${chaos.check.lost} lost, ${chaos.check.duplicated} duplicated, ${chaos.check.notStarted} never started (unanswered), ${chaos.check.redeliveries} redeliveries absorbed`,
        `${chaos.kills.length} SIGKILLs (${chaos.recovery.killsWithWork} holding jobs): recovery median ${chaos.recovery.medianMs} ms, max ${chaos.recovery.maxMs} ms`,
        ...chaos.faults.map((fault) => `${fault.fault} ${fault.target}: ${fault.detail}, recovered in ${fault.recoveryMs} ms`),
        ...chaos.problems.map((problem) => `PROBLEM: ${problem}`),
        ...chaos.check.failures.map((failure) => `  ${failure.kind} ${failure.ticket}: ${failure.verdict} (${failure.reason})`),
      ];
    } else if (kind === "load") {
      const max = count(values["max-connections"], 128);
      const steps: number[] = [];
      for (let connections = 1; connections <= max; connections *= 2) steps.push(connections);
      const load = await runLoad({
        databaseUrl,
        db: client.db,
        stepSeconds: duration(values.step, 10_000) / 1000,
        connectionSteps: steps,
        p99LimitMs: count(values.p99, 250),
        log,
      });
      isPassed = load.knee !== null;
      result = load;
      summary = [
        load.knee
          ? `knee: ${load.knee.requestsPerSecond} req/s at ${load.knee.connections} connections (p99 ${load.knee.p99Ms} ms)`
          : "no step had p99 under the limit without errors",
        `stopped: ${load.stopReason}`,
      ];
    } else if (kind === "soak") {
      const soak = await runSoak({
        databaseUrl,
        db: client.db,
        durationSeconds: duration(values.duration, 15 * 60_000) / 1000,
        defaultDurationSeconds: 15 * 60,
        overallRate: count(values.rate, 60),
        connections: count(values.connections, 8),
        sampleEverySeconds: duration(values["sample-every"], 5_000) / 1000,
        ...(values["heap-snapshots"] ? { heapSnapshotDir: path.resolve(values["heap-snapshots"]) } : {}),
        log,
      });
      isPassed = soak.problems.length === 0;
      result = soak;
      summary = [
        ...soak.trends.map(
          (trend) =>
            `${trend.process}: heap ${trend.heapStartMb} -> ${trend.heapEndMb} MB (${trend.heapMbPerMinute} MB/min late), RSS ${trend.rssStartMb} -> ${trend.rssEndMb} MB (${trend.rssMbPerMinute} MB/min late)`,
        ),
        `postgres RSS ${soak.postgresRssMb.start} -> ${soak.postgresRssMb.end} MB (${soak.postgresRssMb.mbPerMinute} MB/min late)`,
        `traffic: ${soak.traffic.requests} requests, ${soak.traffic.requestsPerSecond} req/s, p99 ${soak.traffic.latencyMs.p99} ms, errors ${(soak.traffic.errorRate * 100).toFixed(2)} %`,
        ...soak.problems.map((problem) => `PROBLEM: ${problem}`),
      ];
    } else {
      const deadRows = await runDeadRows({
        databaseUrl,
        db: client.db,
        processJobs: count(values.jobs, 1_000_000),
        measureJobs: count(values.measure, 20_000),
        batchSize: count(values.batch, 20_000),
        concurrency: count(values.concurrency, 4),
        log,
      });
      isPassed = deadRows.ratio >= 0.8;
      result = deadRows;
      summary = [
        `fresh ${deadRows.fresh.jobsPerSecond} jobs/s, after ${deadRows.processedJobs} jobs ${deadRows.aged.jobsPerSecond} jobs/s (${(deadRows.ratio * 100).toFixed(0)} %; target >= 80 %)`,
        `dead tuples ${deadRows.fresh.deadTuples} -> ${deadRows.aged.deadTuples}, autovacuums ${deadRows.fresh.autovacuums} -> ${deadRows.aged.autovacuums}, table ${deadRows.fresh.tableBytes} -> ${deadRows.aged.tableBytes} bytes`,
      ];
    }
    const file = writeProvingResult(kind as ProvingKind, command, isPassed, result);
    updateProvingSummary();
    for (const line of summary) log(line);
    log(`${isPassed ? "PASSED" : "FAILED"}; wrote ${path.relative(process.cwd(), file)} and BENCHMARKS.md`);
    return isPassed ? 0 : 1;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
