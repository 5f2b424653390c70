/**
 * Process-wide services of the web app: one database pool, one logger, the auth layer and the rate
 * limiter, created on first use and kept on globalThis so development reloads do not duplicate them.
 */
import path from "node:path";
import type { ApiServices } from "@gathering/api";
import { type AuthServices, RevocationCache } from "@gathering/auth";
import {
  createEphemeralPublisher,
  createLogger,
  createModelGateway,
  createPostgresRateLimiter,
  EventHub,
  McpConnectionManager,
  parseKeyring,
  resolveProjectRole,
} from "@gathering/core";
import { createDatabaseClient, type DatabaseClient, isApiTokenActive } from "@gathering/db";
import { pipelineQueue, scheduleAgentTask, scheduleQueue } from "@gathering/jobs";
import { serverEnv } from "./env";
import { metrics } from "./metrics";
import { createRateLimiters, type RateLimitStore } from "./rate-limiter";

export interface WebServices {
  api: ApiServices;
  auth: AuthServices;
  database: DatabaseClient;
  /** This process's MCP connections (closed at shutdown). */
  mcp: McpConnectionManager;
  revocations: RevocationCache;
  rateLimitStore: RateLimitStore;
  ready: Promise<void>;
}

const globalForServices = globalThis as typeof globalThis & { __gatheringWebServices?: WebServices };

export function webServices(): WebServices {
  // One set per process, shared by the Next.js bundle and the CLI's server through globalThis.
  if (globalForServices.__gatheringWebServices) return globalForServices.__gatheringWebServices;
  const env = serverEnv();
  const logger = createLogger({ level: env.LOG_LEVEL, name: "gathering-web" });
  const database = createDatabaseClient(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE, applicationName: "gathering-web" });
  const revocations = new RevocationCache(database.db);
  const { limiter, exactLimiter, store } = createRateLimiters(env, database.db);
  // Sign-in failures are always counted in PostgreSQL: they must survive restarts and are rare.
  const failureCounter = createPostgresRateLimiter(database.db);
  const accounts = { passwordHashCost: env.GATHERING_BCRYPT_COST, signUpPolicy: env.GATHERING_SIGNUP_POLICY };
  const isSecure = env.NEXTAUTH_URL?.startsWith("https://") ?? false;
  const modelGateway = createModelGateway({
    onBreakerStateChange: (key, state) => logger.warn({ breaker: key, state }, "model circuit breaker changed state"),
  });
  // Token deltas of streaming replies: NOTIFY only, batched per 25 ms window (see ephemeral-publisher.ts).
  const ephemeral = createEphemeralPublisher(database.db, {
    onError: (error, lost) => logger.warn({ err: error, lost }, "could not publish streamed tokens"),
  });
  const keyring = parseKeyring(env.GATHERING_ENCRYPTION_KEYS);
  const mcp = new McpConnectionManager({
    keyring,
    logger,
    allowedHosts: env.GATHERING_ALLOWED_HOSTS,
    stdioCommands: env.GATHERING_MCP_STDIO_COMMANDS,
  });
  const services: WebServices = {
    database,
    mcp,
    revocations,
    rateLimitStore: store,
    ready: revocations.listen(database.sql).catch((error: unknown) => logger.error({ err: error }, "could not listen for revocations")),
    auth: { db: database.db, logger, accounts, limiter: failureCounter, revocations, secret: env.NEXTAUTH_SECRET, isSecure },
    api: {
      db: database.db,
      logger,
      databaseKind: env.GATHERING_DATABASE_KIND,
      resolveProjectRole,
      accounts,
      keyring,
      rateLimiter: limiter,
      exactRateLimiter: exactLimiter,
      failureCounter,
      systemInfoMaxAgeMs: 1_000,
      rateLimits: {
        anonymous: { limit: env.GATHERING_RATE_LIMIT_PER_MINUTE, windowMs: 60_000 },
        authenticated: { limit: env.GATHERING_RATE_LIMIT_AUTHENTICATED_PER_MINUTE, windowMs: 60_000 },
        strict: { limit: env.GATHERING_RATE_LIMIT_STRICT_PER_10_MINUTES, windowMs: 10 * 60_000 },
      },
      announceTokenRevoked: (tokenHash) => revocations.announceTokenRevoked(tokenHash),
      eventHub: new EventHub(database),
      modelGateway,
      dataDir: path.resolve(env.GATHERING_DATA_DIR),
      toolServices: {
        dataDir: path.resolve(env.GATHERING_DATA_DIR),
        allowedHosts: env.GATHERING_ALLOWED_HOSTS,
        mcpStdioCommands: env.GATHERING_MCP_STDIO_COMMANDS,
        mcp,
        pipelineQueue,
      },
      scheduleTask: scheduleAgentTask,
      pipelineQueue,
      scheduleQueue,
      publishTokenDelta: (projectId, delta) => ephemeral.publish(projectId, "agent.token", delta),
      observeProcedure: ({ path, type, durationMs, outcome }) => {
        metrics(webServices).procedureDuration.observe({ procedure: path, type, outcome }, durationMs / 1000);
      },
      isCallerStillValid: async (caller) => {
        if (caller.tokenScope?.tokenId) return isApiTokenActive(database.db, caller.tokenScope.tokenId);
        if (caller.sessionId) return !(await revocations.isSessionRevoked(caller.sessionId));
        return true;
      },
    },
  };
  globalForServices.__gatheringWebServices = services;
  return services;
}
