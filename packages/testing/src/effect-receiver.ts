/**
 * A local HTTP server that stands for the outside world a pipeline acts on: it records every request
 * (path, Idempotency-Key, body, time) and counts an effect once per idempotency key, the way a
 * receiver that honours the header would. Per path it can answer, fail a number of times, hang until
 * released, or hold requests until several are in flight at once (to prove parallelism).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  path: string;
  method: string;
  idempotencyKey: string | null;
  body: string;
  at: number;
}

export type PathBehaviour =
  | { kind: "ok"; status?: number; body?: unknown }
  | { kind: "fail"; times: number; status?: number }
  | { kind: "hang" }
  /** Holds each request until `count` requests to this path are in flight, then answers them all. */
  | { kind: "barrier"; count: number }
  /** Answers after a delay. */
  | { kind: "slow"; ms: number };

export interface EffectReceiver {
  url: string;
  /** host:port, for GATHERING_ALLOWED_HOSTS-style allow lists. */
  host: string;
  requests: ReceivedRequest[];
  /** Distinct idempotency keys seen per path (effects applied once each). */
  effects: () => Map<string, Set<string>>;
  /** Requests per idempotency key. */
  countByKey: () => Map<string, number>;
  /** Most requests to one path in flight at the same time. */
  maxInFlight: (path: string) => number;
  behave: (path: string, behaviour: PathBehaviour) => void;
  /** Answers every hanging request (200). */
  releaseHanging: () => void;
  waitForRequests: (path: string, count: number, timeoutMs?: number) => Promise<void>;
  reset: () => void;
  close: () => Promise<void>;
}

export async function startEffectReceiver(): Promise<EffectReceiver> {
  const requests: ReceivedRequest[] = [];
  const behaviours = new Map<string, PathBehaviour>();
  const failures = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const hanging: ServerResponse[] = [];
  const barriers = new Map<string, Array<() => void>>();

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    if (response.writableEnded || response.destroyed) return;
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = (request.url ?? "/").split("?")[0] ?? "/";
      const key = request.headers["idempotency-key"];
      requests.push({
        path,
        method: request.method ?? "GET",
        idempotencyKey: typeof key === "string" ? key : null,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      });
      const current = (inFlight.get(path) ?? 0) + 1;
      inFlight.set(path, current);
      maxInFlight.set(path, Math.max(maxInFlight.get(path) ?? 0, current));
      response.on("close", () => inFlight.set(path, (inFlight.get(path) ?? 1) - 1));
      const behaviour = behaviours.get(path) ?? { kind: "ok" };
      const ok = () => answer(response, 200, { ok: true, path, key: key ?? null });
      switch (behaviour.kind) {
        case "ok":
          answer(response, behaviour.status ?? 200, behaviour.body ?? { ok: true, path, key: key ?? null });
          return;
        case "fail": {
          const failed = failures.get(path) ?? 0;
          if (failed < behaviour.times) {
            failures.set(path, failed + 1);
            answer(response, behaviour.status ?? 503, { error: "try again" });
          } else ok();
          return;
        }
        case "hang":
          hanging.push(response);
          return;
        case "slow":
          setTimeout(ok, behaviour.ms);
          return;
        case "barrier": {
          const waiting = barriers.get(path) ?? [];
          waiting.push(ok);
          barriers.set(path, waiting);
          if (waiting.length >= behaviour.count) {
            barriers.delete(path);
            for (const release of waiting) release();
          }
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    effects: () => {
      const byPath = new Map<string, Set<string>>();
      for (const request of requests) {
        if (!request.idempotencyKey) continue;
        const keys = byPath.get(request.path) ?? new Set<string>();
        keys.add(request.idempotencyKey);
        byPath.set(request.path, keys);
      }
      return byPath;
    },
    countByKey: () => {
      const counts = new Map<string, number>();
      for (const request of requests) {
        const key = request.idempotencyKey ?? "";
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    maxInFlight: (path) => maxInFlight.get(path) ?? 0,
    behave: (path, behaviour) => {
      behaviours.set(path, behaviour);
      failures.delete(path);
    },
    releaseHanging: () => {
      for (const response of hanging.splice(0)) answer(response, 200, { ok: true, released: true });
    },
    waitForRequests: async (path, count, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (requests.filter((request) => request.path === path).length < count) {
        if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${count} requests to ${path}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    reset: () => {
      requests.length = 0;
      behaviours.clear();
      failures.clear();
      maxInFlight.clear();
      for (const response of hanging.splice(0)) response.destroy();
    },
    close: async () => {
      for (const response of hanging.splice(0)) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
