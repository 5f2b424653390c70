/** Runs the real app (`gathering start`) as a child process in a throwaway data directory, as a user would. */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { getFreePort } from "./ports";

export interface AppHandle {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  logFile: string;
  /** The embedded database, for helpers that talk to it directly (the password lives in the throwaway data dir). */
  databaseUrl: () => string;
  /** SIGTERM, then SIGKILL to the whole process group if it has not exited in time. Resolves with the exit code. */
  stop: () => Promise<number | null>;
}

export interface StartAppOptions {
  rootDir: string;
  /** A first start builds the dashboard, which takes minutes on a small machine. */
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
  log?: (message: string) => void;
  /** Extra Node flags for the app's process, e.g. --cpu-prof (which NODE_OPTIONS does not accept on Node 20). */
  nodeArgs?: string[];
  /** Extra environment for the app, on top of a fresh data directory, free ports and warn-level JSON logs. */
  env?: Record<string, string>;
  /** Called as soon as the process exists, so an interrupt during the (long) start can still stop it. */
  onSpawn?: (stop: () => Promise<number | null>) => void;
}

/**
 * The caller's own configuration of GatheRing must not leak into the measured app: it runs on defaults
 * plus what the scenario sets, in a fresh installation.
 */
const isAppVariable = (name: string) =>
  /^(GATHERING_|NEXTAUTH_|AUTH_|DATABASE_)/.test(name) || ["PORT", "HOST", "LOG_LEVEL", "LOG_FORMAT", "NODE_OPTIONS"].includes(name);

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startApp(options: StartAppOptions): Promise<AppHandle> {
  const log = options.log ?? (() => {});
  const dataDir = mkdtempSync(path.join(tmpdir(), "gathering-bench-"));
  // PostgreSQL runs as its own system user when we are root, and must be able to enter the directory.
  chmodSync(dataDir, 0o755);
  const logFile = path.join(dataDir, "app.log");
  const port = await getFreePort();
  let pgPort = await getFreePort();
  while (pgPort === port) pgPort = await getFreePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (isAppVariable(name)) delete env[name];
  Object.assign(env, {
    GATHERING_DATA_DIR: dataDir,
    GATHERING_PG_PORT: String(pgPort),
    LOG_FORMAT: "json",
    LOG_LEVEL: "warn",
    ...options.env,
  });

  const logFd = openSync(logFile, "a");
  // Its own process group: Ctrl+C on the harness must not reach the app directly; we stop it in order.
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "packages/cli/bin/gathering.mjs", "start", "--port", String(port)], {
    cwd: options.rootDir,
    env,
    stdio: ["ignore", logFd, logFd],
    detached: true,
  });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the app");
  let exitCode: number | null = null;
  child.once("exit", (code) => {
    exitCode = code;
  });

  const url = `http://127.0.0.1:${port}`;
  let isReady = false;
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
  let stopped: Promise<number | null> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        if (!(await waitForExit(child, stopTimeoutMs))) {
          log(`the app did not stop within ${stopTimeoutMs / 1000} s of SIGTERM; killing its process group`);
          try {
            process.kill(-pid, "SIGKILL");
          } catch {
            // Already gone.
          }
          await waitForExit(child, 5_000);
        }
      }
      const code = child.exitCode;
      // Keep the log of anything that went wrong for a look afterwards.
      if (code === 0 && isReady) rmSync(dataDir, { recursive: true, force: true });
      else log(`the app exited with ${code ?? child.signalCode}; its data and log are kept in ${dataDir}`);
      return code;
    })();
    return stopped;
  };

  options.onSpawn?.(stop);
  const readyTimeoutMs = options.readyTimeoutMs ?? 15 * 60_000;
  const startedAt = Date.now();
  let lastNotice = startedAt;
  try {
    for (;;) {
      if (exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `the app exited (${exitCode ?? child.signalCode}) before it was ready. Last lines of ${logFile}:\n${tail(logFile)}`,
        );
      }
      const status = await fetch(`${url}/api/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) {
        isReady = true;
        break;
      }
      if (Date.now() - startedAt > readyTimeoutMs) {
        throw new Error(`the app was not ready within ${readyTimeoutMs / 1000} s. Last lines of ${logFile}:\n${tail(logFile)}`);
      }
      if (Date.now() - lastNotice > 15_000) {
        lastNotice = Date.now();
        log(`still waiting for ${url}/api/ready (a first start builds the dashboard)…`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  log(`app ready at ${url} after ${((Date.now() - startedAt) / 1000).toFixed(1)} s (pid ${pid}, data in ${dataDir})`);

  return {
    url,
    port,
    pid,
    dataDir,
    logFile,
    databaseUrl: () => {
      const secrets = JSON.parse(readFileSync(path.join(dataDir, "secrets.json"), "utf8")) as { postgresPassword: string };
      return `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${pgPort}/gathering`;
    },
    stop,
  };
}
