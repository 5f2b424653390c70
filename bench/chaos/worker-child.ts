/**
 * A worker of the proving ground: `startWorker` as `gathering worker` runs it, with the lease,
 * heartbeat and reaper given in its JSON argument, answering memory requests over IPC. Prints
 * `ready <workerId>` once it runs jobs; SIGTERM stops it gracefully.
 */
import { createLogger, type Logger, parseKeyring } from "@gathering/core";
import { startWorker } from "@gathering/worker";
import { answerMemoryRequests } from "./child-memory";

const databaseUrl = process.argv[2];
if (!databaseUrl) throw new Error("usage: worker-child.ts <database url> <json options>");
const options = JSON.parse(process.argv[3] ?? "{}") as {
  leaseSeconds: number;
  heartbeatIntervalMs: number;
  reaperIntervalMs: number;
  allowedHosts: string[];
  concurrency: number;
  keyring: string;
};
const worker = await startWorker({
  connectionString: databaseUrl,
  logger: createLogger({ level: "error" }) as Logger,
  concurrency: options.concurrency,
  pollIntervalMs: 500,
  leaseSeconds: options.leaseSeconds,
  heartbeatIntervalMs: options.heartbeatIntervalMs,
  reaperIntervalMs: options.reaperIntervalMs,
  toolServices: { allowedHosts: options.allowedHosts },
  keyring: parseKeyring(options.keyring),
});
answerMemoryRequests();
process.stdout.write(`ready ${worker.workerId}\n`);
process.on("SIGTERM", () => {
  worker.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
