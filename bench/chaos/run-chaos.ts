/**
 * One chaos run: the cluster, the workload and the faults, then the checker.
 *
 * Faults: every `killEveryMs` (±30 %) a random worker (among those holding jobs at that moment) is
 * SIGKILLed and a replacement started at once;
 * once (at 40 % of the run) a web instance is SIGTERMed and started again; once (at 70 %) every
 * PostgreSQL connection of the app's database is cut with pg_terminate_backend.
 *
 * Recovery time of a SIGKILL: from the kill until every job the killed worker held locked at that
 * moment has completed on another worker (its row gone from the queue). This spans the lease (the
 * reaper waits until the dead worker's heartbeat is older than it), the reaper's tick, the pickup and
 * the job itself. A kill that caught the worker holding no job has no in-flight work to recover; it is
 * listed, and left out of the median and max.
 */
import { performance } from "node:perf_hooks";
import type { Database } from "@gathering/db";
import { type EffectReceiver, type MockLlmServer, startEffectReceiver, startMockLlmServer } from "@gathering/testing";
import { sql } from "drizzle-orm";
import { type CheckSummary, classify, type Submission, summarize, type UnitVerdict } from "./checker";
import { type Cluster, type ManagedProcess, startCluster } from "./cluster";
import { isAvoidingPorts, pickPort, startOutsideAvoidedPorts } from "./ports";
import { countUnfinished, createWorkload, expectedSlots, observeUnits, setUpProject } from "./workload";

export interface ChaosOptions {
  databaseUrl: string;
  /** A client on the same database, for setup and the checker. */
  db: Database;
  durationMs: number;
  killEveryMs: number;
  workers: number;
  webInstances: number;
  leaseSeconds: number;
  /** Submissions per second of each kind. */
  rates: { pipeline: number; circle: number; fire: number };
  /** How long to wait for the last work to finish after the faults stop. */
  drainTimeoutMs: number;
  log: (message: string) => void;
}

export interface KillRecord {
  atMs: number;
  worker: string;
  heldJobs: number;
  /** null when the worker held no job; Infinity would never be written: see `isRecovered`. */
  recoveryMs: number | null;
  isRecovered: boolean;
}

export interface FaultRecord {
  atMs: number;
  fault: "web-sigterm" | "terminate-backends";
  target: string;
  /** web-sigterm: until the instance was serving again; terminate-backends: until the next effect reached the receiver. */
  recoveryMs: number | null;
  detail: string;
}

export interface ChaosResult {
  settings: Omit<ChaosOptions, "databaseUrl" | "db" | "log">;
  measuredSeconds: number;
  check: CheckSummary;
  kills: KillRecord[];
  faults: FaultRecord[];
  recovery: { killsWithWork: number; medianMs: number | null; maxMs: number | null; unrecovered: number };
  /** Jobs still locked at the end by a worker that is not running. */
  lockedByDeadWorkers: number;
  /** Runs and fires not terminal when the drain gave up. */
  unfinished: number;
  unexpectedExits: Array<{ name: string; code: number | null; signal: string | null }>;
  refusals: number;
  refusalSamples: string[];
  isPassed: boolean;
  problems: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function heldJobIds(db: Database, workerId: string): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    select id::text from graphile_worker._private_jobs
    where locked_by = any(select unnest(queue_worker_ids) from worker_heartbeats where worker_id = ${workerId})`);
  return rows.map((row) => row.id);
}

async function waitUntilGone(db: Database, jobIds: string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from graphile_worker._private_jobs where id = any(${`{${jobIds.join(",")}}`}::bigint[])`,
    );
    if ((row?.n ?? 0) === 0) return true;
    await sleep(100);
  }
  return false;
}

async function lockedByDead(db: Database, cluster: Cluster): Promise<number> {
  const live = cluster.workers.filter((worker) => worker.child.exitCode === null).map((worker) => worker.identity);
  const [row] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from graphile_worker._private_jobs
    where locked_by is not null
      and locked_by <> all(coalesce((select array_agg(queue_id) from worker_heartbeats, unnest(queue_worker_ids) as queue_id
                                     where worker_id = any(${`{${live.map((id) => `"${id}"`).join(",")}}`}::text[])), '{}'))`);
  return row?.n ?? 0;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const { db, log } = options;
  const problems: string[] = [];
  const receiver: EffectReceiver = await startOutsideAvoidedPorts(
    startEffectReceiver,
    (server) => Number(new URL(server.url).port),
    (server) => server.close(),
  );
  const mock: MockLlmServer = await startMockLlmServer(isAvoidingPorts() ? { port: await pickPort() } : {});
  let cluster: Cluster | undefined;
  try {
    const fixtures = await setUpProject(db, receiver, mock.baseUrls.openai);
    // Effects that take a while, as real ones do: a kill then finds work in flight, not an idle worker.
    receiver.behave("/pipeline/n2", { kind: "slow", ms: 2_500 });
    receiver.behave("/pipeline/n3", { kind: "slow", ms: 500 });
    receiver.behave("/fire", { kind: "slow", ms: 1_500 });
    cluster = await startCluster({
      databaseUrl: options.databaseUrl,
      webInstances: options.webInstances,
      workers: options.workers,
      allowedHosts: [receiver.host, new URL(mock.baseUrls.openai).host],
      leaseSeconds: options.leaseSeconds,
      workerConcurrency: 4,
      log,
    });
    const running = cluster;
    const workload = createWorkload(fixtures, running.liveWebUrls);
    const kills: KillRecord[] = [];
    const faults: FaultRecord[] = [];
    const recoveries: Array<Promise<void>> = [];
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);

    // The victim: a random one of the workers holding jobs right now (any worker when none does), so
    // kills land on work in flight rather than on an idle process.
    const pickVictim = async (): Promise<ManagedProcess> => {
      const holding: ManagedProcess[] = [];
      for (const worker of running.workers) if ((await heldJobIds(db, worker.identity)).length > 0) holding.push(worker);
      const pool = holding.length > 0 ? holding : running.workers;
      return pool[Math.floor(Math.random() * pool.length)] as ManagedProcess;
    };

    const killWorker = async () => {
      const victim = await pickVictim();
      await running.kill(victim, "SIGKILL");
      const record: KillRecord = { atMs: elapsed(), worker: victim.name, heldJobs: 0, recoveryMs: null, isRecovered: true };
      kills.push(record);
      // A dead process changes nothing more: what it held locked now is what must be recovered.
      const held = await heldJobIds(db, victim.identity);
      record.heldJobs = held.length;
      const killedAt = performance.now();
      log(`SIGKILL ${victim.name} at ${(record.atMs / 1000).toFixed(1)} s holding ${held.length} job(s); restarting it`);
      recoveries.push(
        (async () => {
          if (held.length === 0) return;
          record.isRecovered = await waitUntilGone(db, held, 120_000);
          record.recoveryMs = Math.round(performance.now() - killedAt);
        })(),
      );
      await running.restart(victim);
    };

    const sigtermWeb = async () => {
      const victim = running.web[Math.floor(Math.random() * running.web.length)] as ManagedProcess;
      const at = performance.now();
      const exit = await running.kill(victim, "SIGTERM");
      log(`SIGTERM ${victim.name}: exited ${exit.code ?? exit.signal}; restarting it`);
      if (exit.code !== 0) problems.push(`${victim.name} exited ${exit.code ?? exit.signal} after SIGTERM (expected 0)`);
      await running.restart(victim);
      faults.push({
        atMs: Math.round(at - started),
        fault: "web-sigterm",
        target: victim.name,
        recoveryMs: Math.round(performance.now() - at),
        detail: `exit ${exit.code ?? exit.signal}`,
      });
    };

    const terminateBackends = async () => {
      const at = performance.now();
      const since = Date.now();
      const [row] = await db.execute<{ n: number }>(sql`
        select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`);
      log(`terminated ${row?.n ?? 0} PostgreSQL backends`);
      const record: FaultRecord = {
        atMs: Math.round(at - started),
        fault: "terminate-backends",
        target: "postgres",
        recoveryMs: null,
        detail: `${row?.n ?? 0} backends`,
      };
      faults.push(record);
      recoveries.push(
        (async () => {
          const deadline = Date.now() + 60_000;
          while (Date.now() < deadline && !receiver.requests.some((request) => request.at > since + 50)) await sleep(50);
          if (receiver.requests.some((request) => request.at > since + 50)) record.recoveryMs = Math.round(performance.now() - at);
        })(),
      );
    };

    // The workload: a tick every 100 ms submits what each kind's rate has accumulated.
    const due = { pipeline: 0, circle: 0, fire: 0 };
    const submitter = (async () => {
      while (performance.now() - started < options.durationMs) {
        for (const kind of ["pipeline", "circle", "fire"] as const) {
          due[kind] += options.rates[kind] / 10;
          while (due[kind] >= 1) {
            due[kind] -= 1;
            void workload.submit(kind);
          }
        }
        await sleep(100);
      }
    })();

    const faultPlan = (async () => {
      let isWebDone = false;
      let isBackendsDone = false;
      let nextKill = options.killEveryMs * (0.7 + Math.random() * 0.6);
      while (performance.now() - started < options.durationMs - 5_000) {
        const now = performance.now() - started;
        if (!isWebDone && now >= options.durationMs * 0.4) {
          isWebDone = true;
          await sigtermWeb();
        } else if (!isBackendsDone && now >= options.durationMs * 0.7) {
          isBackendsDone = true;
          await terminateBackends();
        } else if (now >= nextKill) {
          await killWorker();
          nextKill = performance.now() - started + options.killEveryMs * (0.7 + Math.random() * 0.6);
        }
        await sleep(100);
      }
    })();

    await Promise.all([submitter, faultPlan]);
    await workload.settle();
    const measuredSeconds = (performance.now() - started) / 1000;
    log(`faults over after ${measuredSeconds.toFixed(0)} s; ${workload.submissions.length} submissions; draining…`);

    const drainDeadline = Date.now() + options.drainTimeoutMs;
    let unfinished = await countUnfinished(db, fixtures.projectId);
    while (unfinished > 0 && Date.now() < drainDeadline) {
      await sleep(500);
      unfinished = await countUnfinished(db, fixtures.projectId);
    }
    await Promise.all(recoveries);
    const locked = await lockedByDead(db, running);

    const observations = await observeUnits(db, receiver, fixtures.projectId);
    const submissions: Submission[] = [...workload.submissions];
    const known = new Set(submissions.map((submission) => submission.ticket));
    const verdicts: UnitVerdict[] = submissions.map((submission) =>
      classify(submission, observations.get(submission.ticket), expectedSlots(submission.kind)),
    );
    // Units in the database that no acknowledged or pending submission names: fires nobody was told of
    // (allowed up to the number of fire requests that got no answer), or runs without a ticket (never allowed).
    const strays = [...observations.values()].filter((observation) => !known.has(observation.ticket));
    const indeterminateFires = submissions.filter((submission) => submission.kind === "fire" && !submission.id).length;
    let allowance = indeterminateFires;
    for (const stray of strays) {
      const asSubmission: Submission = { kind: stray.kind, ticket: stray.ticket, submittedAt: 0 };
      if (stray.kind === "fire" && allowance > 0) {
        allowance -= 1;
        verdicts.push(classify(asSubmission, stray, expectedSlots(stray.kind)));
      } else {
        verdicts.push({
          kind: stray.kind,
          ticket: stray.ticket,
          verdict: "duplicated",
          reason: "in the database but never submitted",
          redeliveries: 0,
        });
      }
    }
    const check = summarize(verdicts, submissions);

    const recovered = kills.filter((kill) => kill.recoveryMs !== null && kill.isRecovered).map((kill) => kill.recoveryMs as number);
    const recovery = {
      killsWithWork: kills.filter((kill) => kill.heldJobs > 0).length,
      medianMs: median(recovered),
      maxMs: recovered.length > 0 ? Math.max(...recovered) : null,
      unrecovered: kills.filter((kill) => !kill.isRecovered).length,
    };
    if (check.lost > 0) problems.push(`${check.lost} unit(s) lost`);
    if (check.duplicated > 0) problems.push(`${check.duplicated} unit(s) duplicated`);
    if (unfinished > 0) problems.push(`${unfinished} run(s) or fire(s) not terminal after ${options.drainTimeoutMs / 1000} s`);
    if (locked > 0) problems.push(`${locked} job(s) still locked by a dead worker`);
    if (recovery.unrecovered > 0) problems.push(`${recovery.unrecovered} kill(s) whose jobs never completed elsewhere`);
    if (check.doneOnce === 0) problems.push("no work was done");
    const { databaseUrl: _url, db: _db, log: _log, ...settings } = options;
    return {
      settings,
      measuredSeconds: Math.round(measuredSeconds),
      check,
      kills,
      faults,
      recovery,
      lockedByDeadWorkers: locked,
      unfinished,
      unexpectedExits: running.unexpectedExits.map(({ name, code, signal }) => ({ name, code, signal })),
      refusals: workload.refusals.length,
      refusalSamples: [...new Set(workload.refusals.map((refusal) => refusal.message))].slice(0, 5),
      isPassed: problems.length === 0,
      problems,
    };
  } finally {
    await cluster?.stop();
    await mock.close();
    await receiver.close();
  }
}
