/** Starts ephemeral-publisher-child.ts as a process of its own and publishes through it, one window per call. */
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { repoRoot } from "./paths";

export interface PublishedEvent {
  topic: "agent.token" | "task.progress";
  payload: Record<string, unknown>;
}

export interface EphemeralPublisherProcess {
  /** Publishes the events within one window; resolves once they were sent. */
  publish: (projectId: string, events: PublishedEvent[]) => Promise<void>;
  /** Closes its stdin (it flushes and exits) and waits for the exit. */
  stop: () => Promise<void>;
  output: () => string;
}

export function startEphemeralPublisherProcess(databaseUrl: string): EphemeralPublisherProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "e2e/support/ephemeral-publisher-child.ts"), databaseUrl], {
    cwd: repoRoot,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const answers: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout }).on("line", (line) => answers.shift()?.(line));
  return {
    publish: (projectId, events) =>
      new Promise((resolve, reject) => {
        if (child.exitCode !== null) {
          reject(new Error(`the publisher process exited: ${errors}`));
          return;
        }
        answers.push((line) => {
          const answer = JSON.parse(line) as { sent: number; failed: number };
          if (answer.failed > 0) reject(new Error(`the publisher could not send ${answer.failed} events: ${errors}`));
          else resolve();
        });
        child.stdin.write(`${JSON.stringify({ projectId, events })}\n`);
      }),
    stop: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
    output: () => errors,
  };
}
