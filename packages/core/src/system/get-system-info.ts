/** What `system.info` reports: the version, the database in use, and whether workers are alive. */
import { type DbExecutor, getDatabaseServerInfo, listLiveWorkers } from "@gathering/db";
import { describeVectorPath, type VectorPathInfo } from "../knowledge/vector-path";
import { GATHERING_VERSION } from "../version";

export type DatabaseKind = "embedded" | "external";

export interface SystemInfo {
  version: string;
  database: { kind: DatabaseKind; version: string; versionNumber: number };
  workers: { status: "running" | "none"; live: number; lastSeenAt: Date | null };
  /** Which vector search path knowledge bases use here: pgvector (HNSW) or the exact in-process index. */
  knowledge: { vectorPath: VectorPathInfo["path"]; extensionVersion: string | null; reason: string | null };
}

/** A worker whose heartbeat is older than this is presumed dead. */
export const WORKER_LEASE_SECONDS = 15;

const recent = new WeakMap<DbExecutor, { info: Promise<SystemInfo>; expiresAt: number }>();

/**
 * `maxAgeMs` lets a busy endpoint reuse an answer for a moment (one database round trip per second
 * instead of one per request); worker liveness is judged on a 15 s lease anyway.
 */
export async function getSystemInfo(db: DbExecutor, options: { databaseKind: DatabaseKind; maxAgeMs?: number }): Promise<SystemInfo> {
  const maxAgeMs = options.maxAgeMs ?? 0;
  if (maxAgeMs <= 0) return readSystemInfo(db, options.databaseKind);
  const cached = recent.get(db);
  if (cached && cached.expiresAt > Date.now()) return cached.info;
  const info = readSystemInfo(db, options.databaseKind);
  recent.set(db, { info, expiresAt: Date.now() + maxAgeMs });
  info.catch(() => recent.delete(db));
  return info;
}

async function readSystemInfo(db: DbExecutor, databaseKind: DatabaseKind): Promise<SystemInfo> {
  const [server, workers, vector] = await Promise.all([
    getDatabaseServerInfo(db),
    listLiveWorkers(db, WORKER_LEASE_SECONDS),
    describeVectorPath(db),
  ]);
  return {
    version: GATHERING_VERSION,
    database: { kind: databaseKind, version: server.version, versionNumber: server.versionNumber },
    workers: {
      status: workers.length > 0 ? "running" : "none",
      live: workers.length,
      lastSeenAt: workers[0]?.lastSeenAt ?? null,
    },
    knowledge: { vectorPath: vector.path, extensionVersion: vector.extensionVersion, reason: vector.reason },
  };
}
