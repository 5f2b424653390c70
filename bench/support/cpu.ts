/** CPU time of the processes under test, from /proc: steadier than throughput on a shared machine (Linux only, else null). */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat, 100 on every Linux the harness runs on. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  command: string;
  cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command sits in parentheses and may itself contain spaces or parentheses.
    const open = text.indexOf("(");
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return {
      pid,
      ppid: Number(fields[1]),
      command: text.slice(open + 1, close),
      cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

function readAllStats(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const stats: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** CPU milliseconds used so far by `pid` alone, and by the postgres processes anywhere below `treeRootPid`. */
export interface CpuSample {
  serverMs: number | null;
  databaseMs: number | null;
  harnessMs: number;
}

export function sampleCpu(options: { serverPid?: number; databaseTreeRootPid?: number }): CpuSample {
  const harness = process.cpuUsage();
  const harnessMs = (harness.user + harness.system) / 1000;
  if (process.platform !== "linux") return { serverMs: null, databaseMs: null, harnessMs };
  const serverMs = options.serverPid === undefined ? null : (readStat(options.serverPid)?.cpuMs ?? null);
  let databaseMs: number | null = null;
  if (options.databaseTreeRootPid !== undefined) {
    const stats = readAllStats();
    const children = new Map<number, ProcStat[]>();
    for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
    const queue = [...(children.get(options.databaseTreeRootPid) ?? [])];
    databaseMs = 0;
    while (queue.length > 0) {
      const stat = queue.shift() as ProcStat;
      if (stat.command === "postgres") databaseMs += stat.cpuMs;
      queue.push(...(children.get(stat.pid) ?? []));
    }
  }
  return { serverMs, databaseMs, harnessMs };
}

/**
 * Throughput on a shared 2-core machine swings with the neighbours' load; CPU milliseconds per request
 * swing much less, so they say better which layer costs what.
 */
export interface CpuUsage {
  /** The Node process that answers HTTP. */
  serverMs: number | null;
  /** Every postgres process of the app's embedded server. */
  databaseMs: number | null;
  /** This process: autocannon generating the load. */
  harnessMs: number;
}

export function cpuBetween(before: CpuSample, after: CpuSample): CpuUsage {
  // A postgres backend that exits during the run takes its CPU time with it; never report less than nothing.
  const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(0, Math.round(b - a)));
  return {
    serverMs: delta(before.serverMs, after.serverMs),
    databaseMs: delta(before.databaseMs, after.databaseMs),
    harnessMs: Math.round(after.harnessMs - before.harnessMs),
  };
}
