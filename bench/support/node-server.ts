/** A plain Node `http` server in a child process, so that, like the app, it shares no event loop with autocannon. */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export type NodeServerOptions =
  /** Answers every request with the same bytes: the floor any Node HTTP endpoint stands on. */
  | { mode: "static"; body: string; contentType: string }
  /** Runs getSystemInfo() on a pool like the app's and answers its JSON: HTTP + database, no tRPC, no Next. */
  | { mode: "db"; databaseUrl: string; poolSize: number }
  /**
   * A Next.js route module's GET handler called straight from node:http: the route's own code and all
   * it calls, without Next. `env` is what the app's process gives the web app; `tsconfig` resolves its
   * path aliases.
   */
  | { mode: "route"; routeFile: string; env: Record<string, string>; tsconfig: string };

export interface NodeServerHandle {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

const childEntry = fileURLToPath(new URL("./node-server-child.ts", import.meta.url));

export function startNodeServer(options: NodeServerOptions, launch: { nodeArgs?: string[] } = {}): Promise<NodeServerHandle> {
  const env = options.mode === "route" ? { ...process.env, ...options.env, TSX_TSCONFIG_PATH: options.tsconfig } : process.env;
  const child = fork(childEntry, [JSON.stringify(options)], {
    env,
    execArgv: ["--import", "tsx", ...(launch.nodeArgs ?? [])],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pid = child.pid;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGTERM");
    });
    return stopped;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the ${options.mode} Node server did not start within 30 s`));
    }, 30_000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the ${options.mode} Node server exited (${code ?? signal}) before listening`));
    });
    child.once("message", (message: { port?: number }) => {
      clearTimeout(timer);
      if (pid === undefined || typeof message.port !== "number") {
        void stop();
        reject(new Error(`the ${options.mode} Node server sent no port`));
        return;
      }
      // The IPC channel was only needed for the port; without it the child does no extra work while measured.
      child.disconnect();
      resolve({ url: `http://127.0.0.1:${message.port}`, pid, stop });
    });
  });
}
