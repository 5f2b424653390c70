/**
 * A worker in a process of its own, for tests that SIGKILL one: `worker-child.ts <database url> [json]`,
 * the JSON holding options (leaseSeconds, heartbeatIntervalMs, reaperIntervalMs,
 * allowedHosts, concurrency, keyring). Prints `ready <workerId>` once it runs jobs.
 */
import { createLogger, type Logger, parseKeyring } from "@gathering/core";
import { startWorker } from "../run-worker";

const databaseUrl = process.argv[2];
if (!databaseUrl) throw new Error("usage: worker-child.ts <database url>");
const options = JSON.parse(process.argv[3] ?? "{}") as {
  leaseSeconds?: number;
  heartbeatIntervalMs?: number;
  reaperIntervalMs?: number;
  allowedHosts?: string[];
  concurrency?: number;
  /** A keyring string (GATHERING_KEYRING format): the agent and circle jobs run only with one. */
  keyring?: string;
};
const worker = await startWorker({
  connectionString: databaseUrl,
  logger: createLogger({ level: "warn" }) as Logger,
  concurrency: options.concurrency ?? 2,
  pollIntervalMs: 200,
  ...(options.leaseSeconds !== undefined ? { leaseSeconds: options.leaseSeconds } : {}),
  ...(options.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
  ...(options.reaperIntervalMs !== undefined ? { reaperIntervalMs: options.reaperIntervalMs } : {}),
  toolServices: { allowedHosts: options.allowedHosts ?? [] },
  ...(options.keyring ? { keyring: parseKeyring(options.keyring) } : {}),
});
process.stdout.write(`ready ${worker.workerId}\n`);
process.on("SIGTERM", () => {
  worker.stop().then(() => process.exit(0));
});
