/**
 * The system under test, as production runs it: N web instances and M workers, each a process of its
 * own on one PostgreSQL, all on loopback. Processes can be SIGKILLed, SIGTERMed and restarted; one
 * that dies on its own is noticed (and, when asked, restarted) so a crash is never silent.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { MemorySample } from "./child-memory";
import { isAvoidingPorts, pickPort } from "./ports";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");

export const proofKeyring = "proof-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

export interface ClusterOptions {
  databaseUrl: string;
  webInstances: number;
  workers: number;
  /** host:port of the local servers the workers' http nodes and call_api may reach. */
  allowedHosts: string[];
  /** A worker silent for this long is dead and its jobs are released (production default 15 s). */
  leaseSeconds: number;
  workerConcurrency: number;
  /** Extra environment of the web instances (rate limits for load runs). */
  webEnv?: Record<string, string>;
  log: (message: string) => void;
}

export type ProcessKind = "web" | "worker";

export interface ManagedProcess {
  kind: ProcessKind;
  /** web-1, worker-2…: stable across restarts. */
  name: string;
  child: ChildProcess;
  pid: number;
  /** The worker's id in worker_heartbeats; the web instance's URL. */
  identity: string;
  startedAt: number;
  /** Set when the harness itself stopped or killed it, so an exit is not taken for a crash. */
  isExpectedToExit: boolean;
}

export interface Cluster {
  web: ManagedProcess[];
  workers: ManagedProcess[];
  /** The web instances that are up now, for the workload to spread requests over. */
  liveWebUrls: () => string[];
  /** Exits nobody asked for: a process that crashed on a fault (after which it is restarted). */
  unexpectedExits: Array<{ name: string; code: number | null; signal: string | null; at: number; stderr: string }>;
  kill: (process: ManagedProcess, signal: "SIGKILL" | "SIGTERM") => Promise<{ code: number | null; signal: string | null }>;
  restart: (process: ManagedProcess) => Promise<ManagedProcess>;
  memory: (process: ManagedProcess) => Promise<MemorySample | undefined>;
  /** Writes a V8 heap snapshot of the process to `file` (after a full GC); false when it did not answer. */
  heapSnapshot: (process: ManagedProcess, file: string) => Promise<boolean>;
  stop: () => Promise<void>;
}

function waitForExit(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const web: ManagedProcess[] = [];
  const workers: ManagedProcess[] = [];
  const unexpectedExits: Cluster["unexpectedExits"] = [];
  let isStopping = false;
  let memoryRequestId = 0;

  const launch = async (kind: ProcessKind, name: string): Promise<ManagedProcess> => {
    // Port 0 (the kernel's choice) unless some ports must be avoided; then one picked outside them.
    const webPort = kind === "web" && isAvoidingPorts() ? await pickPort() : 0;
    const args =
      kind === "web"
        ? [path.join(here, "web-child.ts"), String(webPort)]
        : [
            path.join(here, "worker-child.ts"),
            options.databaseUrl,
            JSON.stringify({
              leaseSeconds: options.leaseSeconds,
              heartbeatIntervalMs: 500,
              reaperIntervalMs: 500,
              allowedHosts: options.allowedHosts,
              concurrency: options.workerConcurrency,
              keyring: proofKeyring,
            }),
          ];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: "error",
      DATABASE_URL: options.databaseUrl,
      DATABASE_POOL_SIZE: "10",
      NEXTAUTH_SECRET: "proving-ground-secret-0123456789abcdef",
      GATHERING_ENCRYPTION_KEYS: proofKeyring,
      GATHERING_ALLOWED_HOSTS: options.allowedHosts.join(","),
      GATHERING_BCRYPT_COST: "4",
      GATHERING_SIGNUP_POLICY: "open",
      ...options.webEnv,
    };
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", ...args], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const startedAt = Date.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${name} did not start within 120 s: ${stderr}`));
      }, 120_000);
      const onEarlyExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before it was ready: ${stderr}`));
      };
      child.once("exit", onEarlyExit);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        const [word, value] = line.split(" ");
        if ((kind === "web" && word !== "listening") || (kind === "worker" && word !== "ready") || !value) return;
        clearTimeout(timer);
        child.off("exit", onEarlyExit);
        const managed: ManagedProcess = {
          kind,
          name,
          child,
          pid: child.pid ?? -1,
          identity: kind === "web" ? `http://127.0.0.1:${value}` : value,
          startedAt,
          isExpectedToExit: false,
        };
        child.once("exit", (code, signal) => {
          if (managed.isExpectedToExit || isStopping) return;
          unexpectedExits.push({ name, code, signal, at: Date.now(), stderr });
          options.log(`${name} exited on its own (${code ?? signal}); restarting it`);
          void restart(managed).catch((error: unknown) => options.log(`could not restart ${name}: ${String(error)}`));
        });
        resolve(managed);
      });
    });
  };

  const listOf = (kind: ProcessKind) => (kind === "web" ? web : workers);

  const kill: Cluster["kill"] = async (managed, signal) => {
    managed.isExpectedToExit = true;
    managed.child.kill(signal);
    return waitForExit(managed.child);
  };

  const restart: Cluster["restart"] = async (old) => {
    const list = listOf(old.kind);
    const next = await launch(old.kind, old.name);
    const index = list.indexOf(old);
    if (index >= 0) list[index] = next;
    else list.push(next);
    return next;
  };

  const memory: Cluster["memory"] = (managed) =>
    new Promise((resolve) => {
      if (!managed.child.connected) return resolve(undefined);
      const id = ++memoryRequestId;
      const timer = setTimeout(() => {
        managed.child.off("message", onMessage);
        resolve(undefined);
      }, 5_000);
      const onMessage = (message: { type?: string; id?: number } & Partial<MemorySample>) => {
        if (message.type !== "memory" || message.id !== id) return;
        clearTimeout(timer);
        managed.child.off("message", onMessage);
        resolve({ heapUsedBytes: message.heapUsedBytes ?? 0, rssBytes: message.rssBytes ?? 0 });
      };
      managed.child.on("message", onMessage);
      managed.child.send({ type: "memory", id });
    });

  const heapSnapshot: Cluster["heapSnapshot"] = (managed, file) =>
    new Promise((resolve) => {
      if (!managed.child.connected) return resolve(false);
      const id = ++memoryRequestId;
      // A snapshot of a heap of some tens of MB takes seconds on a loaded machine.
      const timer = setTimeout(() => {
        managed.child.off("message", onMessage);
        resolve(false);
      }, 180_000);
      const onMessage = (message: { type?: string; id?: number; error?: string }) => {
        if (message.type !== "heap-snapshot" || message.id !== id) return;
        clearTimeout(timer);
        managed.child.off("message", onMessage);
        if (message.error) options.log(`${managed.name}: heap snapshot failed: ${message.error}`);
        resolve(!message.error);
      };
      managed.child.on("message", onMessage);
      managed.child.send({ type: "heap-snapshot", id, file });
    });

  const stop = async () => {
    isStopping = true;
    await Promise.all(
      [...web, ...workers].map(async (managed) => {
        managed.isExpectedToExit = true;
        if (managed.child.exitCode !== null || managed.child.signalCode !== null) return;
        const timer = setTimeout(() => managed.child.kill("SIGKILL"), 15_000);
        managed.child.kill("SIGTERM");
        await waitForExit(managed.child);
        clearTimeout(timer);
      }),
    );
  };

  try {
    // One at a time: two cores, and each process compiles the app's TypeScript on its first start.
    for (let index = 1; index <= options.webInstances; index += 1) web.push(await launch("web", `web-${index}`));
    for (let index = 1; index <= options.workers; index += 1) workers.push(await launch("worker", `worker-${index}`));
  } catch (error) {
    await stop();
    throw error;
  }
  options.log(`cluster up: ${web.length} web instances, ${workers.length} workers`);

  return {
    web,
    workers,
    liveWebUrls: () =>
      web.filter((managed) => !managed.isExpectedToExit && managed.child.exitCode === null).map((managed) => managed.identity),
    unexpectedExits,
    kill,
    restart,
    memory,
    heapSnapshot,
    stop,
  };
}
