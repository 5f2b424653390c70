/**
 * What every procedure receives: the database, a request-scoped logger carrying the request id, the
 * caller's identity (resolved by the auth layer before the call) and the client's address.
 */
import { randomUUID } from "node:crypto";
import type {
  AccountsConfig,
  CircleQueue,
  DatabaseKind,
  EventHub,
  FailureCounter,
  Keyring,
  KnowledgeQueue,
  Logger,
  ModelGateway,
  PipelineQueue,
  RateLimiter,
  ScheduleQueue,
  ToolDefinition,
  ToolServices,
} from "@gathering/core";
import type { Database, Transaction } from "@gathering/db";

export const projectRoles = ["viewer", "member", "admin", "owner"] as const;
export type ProjectRole = (typeof projectRoles)[number];

/** Who is calling. Browser sessions and API tokens both resolve to this. */
export interface Caller {
  userId: string;
  source?: "session" | "token";
  sessionId?: string;
  /** API tokens are bound to one project and a role; sessions are not. */
  tokenScope?: { projectId: string; role: ProjectRole; tokenId?: string };
}

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

/** Requests allowed per window, per caller (user, or address when anonymous). */
export interface RateLimitRules {
  anonymous: RateLimitRule;
  authenticated: RateLimitRule;
  /** Sign-up and invitation acceptance, per address: the expensive and abusable calls. */
  strict: RateLimitRule;
}

export const defaultRateLimitRules: RateLimitRules = {
  anonymous: { limit: 600, windowMs: 60_000 },
  authenticated: { limit: 3_000, windowMs: 60_000 },
  strict: { limit: 20, windowMs: 10 * 60_000 },
};

/** Long-lived services shared by every request of one process. */
export interface ApiServices {
  db: Database;
  logger: Logger;
  databaseKind: DatabaseKind;
  /** The caller's role in a project, or null when they are not a member. */
  resolveProjectRole: (db: Database, userId: string, projectId: string) => Promise<ProjectRole | null>;
  accounts: AccountsConfig;
  keyring: Keyring;
  /** Counts every request (may batch, so approximate within a moment across instances). */
  rateLimiter: RateLimiter;
  /** Exact counts, for the strict tier (sign-up). */
  exactRateLimiter: RateLimiter;
  failureCounter: FailureCounter;
  /** How long system.info may reuse an answer (ms); 0 reads the database every time. */
  systemInfoMaxAgeMs?: number;
  rateLimits: RateLimitRules;
  /** Called after every procedure call, for metrics. */
  observeProcedure?: (call: { path: string; type: string; durationMs: number; outcome: string }) => void;
  /** This process's event fan-out (one LISTEN connection). */
  eventHub: EventHub;
  /** Whether a caller's session or token is still good (for long-lived subscriptions). */
  isCallerStillValid: (caller: Caller) => Promise<boolean>;
  /** Every model call of this process goes through it (breakers are per process). */
  modelGateway: ModelGateway;
  /** Where project workspaces live (`<dataDir>/workspaces/<projectId>`); without it, workspace procedures answer UNAVAILABLE. */
  dataDir?: string;
  /** Tools agents may call; defaults to the built-in ones. */
  tools?: ReadonlyMap<string, ToolDefinition>;
  /** What tools need from the process (data dir, allowed hosts). */
  toolServices?: ToolServices;
  /** Streams a reply's text deltas to subscribers (`agent.token`, ephemeral); absent in some tests. */
  publishTokenDelta?: (projectId: string, delta: { streamId: string; messageId: string; delta: string; index: number }) => void;
  /** Enqueues an agent task's job in the caller's transaction. */
  scheduleTask: (tx: Transaction, taskId: string) => Promise<void>;
  /** Enqueues pipeline node jobs in the caller's transaction (Graphile Worker in production). */
  pipelineQueue: PipelineQueue;
  /** Enqueues circle turn jobs in the caller's transaction; defaults to Graphile Worker's (@gathering/jobs). */
  circleQueue?: CircleQueue;
  /** Enqueues knowledge ingestion jobs in the caller's transaction; defaults to Graphile Worker's (@gathering/jobs). */
  knowledgeQueue?: KnowledgeQueue;
  /** Enqueues schedule fires and ticks in the caller's transaction (Graphile Worker in production). */
  scheduleQueue: ScheduleQueue;
  /** Tells every instance that a token is revoked (drops it from their caches). */
  announceTokenRevoked: (tokenHash: string) => Promise<void>;
}

export interface CreateContextOptions {
  services: ApiServices;
  headers: Headers;
  caller: Caller | null;
}

export function createContext({ services, headers, caller }: CreateContextOptions) {
  const incoming = headers.get("x-request-id");
  // Accept a caller's request id only when it looks like one; otherwise make our own.
  const requestId = incoming && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
  return {
    db: services.db,
    services,
    requestId,
    logger: services.logger.child({ requestId }),
    caller,
    /** Set by the web server from the socket (or a trusted proxy), never from client headers. */
    ip: headers.get("x-gathering-client-ip") ?? "unknown",
  };
}

export type Context = ReturnType<typeof createContext>;
