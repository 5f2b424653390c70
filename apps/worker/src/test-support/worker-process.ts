/**
 * Starts worker-child.ts as a process of its own (so a test can SIGKILL it) with a short lease, fast
 * heartbeats and a fast reaper, and resolves once it runs jobs. `stopAll` kills whatever is still up.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../../..");

export interface WorkerProcessOptions {
  allowedHosts?: string[];
  /** The keyring spec (`id:base64key`) for agent work. */
  keyring?: string;
  concurrency?: number;
}

export function workerProcesses(databaseUrl: () => string) {
  const children: ChildProcess[] = [];
  const start = (options: WorkerProcessOptions = {}): Promise<ChildProcess> => {
    const settings = { leaseSeconds: 2, heartbeatIntervalMs: 300, reaperIntervalMs: 300, concurrency: 2, ...options };
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(here, "worker-child.ts"), databaseUrl(), JSON.stringify(settings)],
      {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(child);
    let errors = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${errors}`)), 30_000);
      child.once("exit", (code) => reject(new Error(`worker exited with ${code}: ${errors}`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        if (line.startsWith("ready ")) {
          clearTimeout(timer);
          resolve(child);
        }
      });
    });
  };
  const stopAll = () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  };
  return { start, stopAll };
}
