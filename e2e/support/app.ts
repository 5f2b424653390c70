/** Runs real `gathering start` processes for tests that need an instance of their own, and cleans up after them. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "./paths";

export interface AppOptions {
  dataDir: string;
  port: number;
  pgPort: number;
  /** Extra `gathering start` flags, e.g. --no-worker. */
  args?: string[];
  /** Extra environment, e.g. DATABASE_URL to join another instance's database. */
  env?: Record<string, string>;
}

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  readonly name: string;
  readonly baseUrl: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process printed so far, stdout and stderr interleaved. */
  output: () => string;
  /** Settles once the process has exited. */
  exited: Promise<AppExit>;
  isRunning: () => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh data directory under the system temp folder. */
export async function createDataDir(prefix: string): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), prefix));
  // mkdtemp makes the folder 0700; the embedded server runs as the `postgres` user and must reach into it.
  await chmod(directory, 0o755);
  return directory;
}

export function startApp(name: string, options: AppOptions): AppProcess {
  const child = spawn(
    process.execPath,
    ["packages/cli/bin/gathering.mjs", "start", "--port", String(options.port), ...(options.args ?? [])],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        GATHERING_DATA_DIR: options.dataDir,
        GATHERING_PG_PORT: String(options.pgPort),
        PORT: String(options.port),
        HOST: "127.0.0.1",
        LOG_FORMAT: "json",
        GATHERING_TEST_HOOKS: "1",
        NEXT_TELEMETRY_DISABLED: "1",
        // An inherited DATABASE_URL would switch the app to an external server; these tests are about the embedded one.
        DATABASE_URL: "",
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exit: AppExit | undefined;
  const exited = new Promise<AppExit>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    child.once("error", (error) => {
      output += `\nspawn failed: ${error.message}\n`;
      exit = { code: null, signal: null };
      resolve(exit);
    });
  });
  return {
    name,
    baseUrl: `http://127.0.0.1:${options.port}`,
    port: options.port,
    child,
    output: () => output,
    exited,
    isRunning: () => exit === undefined,
  };
}

export class AppProcessError extends Error {
  constructor(app: AppProcess, message: string) {
    super(`${app.name}: ${message}\n--- output of ${app.name} (last 6000 characters) ---\n${app.output().slice(-6_000)}`);
  }
}

/** Polls /api/ready until it answers 200; fails early, with the app's output, if the process dies first. */
export async function waitForReady(app: AppProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastAnswer = "no answer yet";
  while (Date.now() < deadline) {
    if (!app.isRunning()) throw new AppProcessError(app, `exited before it was ready (${JSON.stringify(await app.exited)})`);
    try {
      const response = await fetch(`${app.baseUrl}/api/ready`, { signal: AbortSignal.timeout(3_000) });
      lastAnswer = `${response.status} ${await response.text()}`;
      if (response.status === 200) return;
    } catch (error) {
      lastAnswer = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new AppProcessError(app, `not ready within ${timeoutMs} ms; last answer of /api/ready: ${lastAnswer}`);
}

export async function waitForExit(app: AppProcess, timeoutMs: number): Promise<AppExit> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppProcessError(app, `still running ${timeoutMs} ms after it was asked to stop`)), timeoutMs);
  });
  try {
    return await Promise.race([app.exited, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Cleanup of last resort: asks politely, then kills. Safe to call on a process that already exited. */
export async function stopApp(app: AppProcess, graceMs = 20_000): Promise<void> {
  if (!app.isRunning()) return;
  app.child.kill("SIGTERM");
  try {
    await waitForExit(app, graceMs);
  } catch {
    app.child.kill("SIGKILL");
    await waitForExit(app, 5_000).catch(() => {});
  }
}

export interface PostgresProcess {
  pid: number;
  args: string;
}

/** PostgreSQL server processes whose command line names this data directory. */
export function postgresProcessesFor(dataDir: string): PostgresProcess[] {
  const clusterDir = path.join(dataDir, "postgres");
  return execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.trim().match(/^(\d+)\s+(.*)$/))
    .filter((match): match is RegExpMatchArray => match !== null)
    .map((match) => ({ pid: Number(match[1]), args: match[2] ?? "" }))
    .filter((entry) => entry.pid !== process.pid && entry.args.includes(clusterDir));
}

export function postmasterPidFile(dataDir: string): string {
  return path.join(dataDir, "postgres", "postmaster.pid");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Sends a signal; false when the process is already gone. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** Stops a PostgreSQL a killed app left behind, so no test run leaks a server. */
export async function stopLeftoverPostgres(dataDir: string): Promise<void> {
  const pids = new Set(postgresProcessesFor(dataDir).map((entry) => entry.pid));
  const pidFile = postmasterPidFile(dataDir);
  if (existsSync(pidFile)) {
    const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
    if (Number.isInteger(pid) && pid > 0) pids.add(pid);
  }
  for (const pid of pids) {
    // SIGINT is PostgreSQL's fast shutdown: sessions are ended and the cluster is left consistent.
    if (!signal(pid, "SIGINT")) continue;
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    signal(pid, "SIGKILL");
  }
}

/**
 * The same, for a process "exit" handler, where nothing asynchronous runs: the data directory must not
 * be deleted under a server that is still shutting down.
 */
export function stopLeftoverPostgresSync(dataDir: string, timeoutMs = 15_000): void {
  const pids = postgresProcessesFor(dataDir).map((entry) => entry.pid);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const pid of pids) {
    if (!signal(pid, "SIGINT")) continue;
    const deadline = Date.now() + timeoutMs;
    while (isAlive(pid) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 100);
    signal(pid, "SIGKILL");
  }
}

export async function removeDataDir(dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true });
}
