/**
 * Services for tests that call the API in-process (createCaller / fetchRequestHandler): the real
 * PostgreSQL rate limiter and membership lookup, a fixed keyring, cheap bcrypt and generous limits.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createLogger,
  createModelGateway,
  createPostgresRateLimiter,
  EventHub,
  type Logger,
  parseKeyring,
  resolveProjectRole,
  signUp,
} from "@gathering/core";
import type { Database, DatabaseClient } from "@gathering/db";
import { pipelineQueue, scheduleAgentTask, scheduleQueue } from "@gathering/jobs";
import { type ApiServices, type Caller, createContext, defaultRateLimitRules } from "./context";
import { createCaller } from "./root";

export const testKeyring = parseKeyring("test-1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

/** Pass the whole test database (not just its `db`) where events are subscribed to: the hub LISTENs on it. */
export function createTestServices(database: Database | DatabaseClient, overrides: Partial<ApiServices> = {}): ApiServices {
  const client = "sql" in database && "db" in database ? database : undefined;
  const db = client ? client.db : (database as Database);
  const eventHub = overrides.eventHub ?? new EventHub(client ?? { db, sql: undefined as never, close: async () => {} });
  const limiter = createPostgresRateLimiter(db);
  return {
    db,
    logger: createLogger({ level: "silent" }) as Logger,
    databaseKind: "external",
    resolveProjectRole,
    accounts: { passwordHashCost: 4, signUpPolicy: "open" },
    keyring: testKeyring,
    rateLimiter: limiter,
    exactRateLimiter: limiter,
    failureCounter: limiter,
    rateLimits: {
      ...defaultRateLimitRules,
      anonymous: { limit: 100_000, windowMs: 60_000 },
      authenticated: { limit: 100_000, windowMs: 60_000 },
      strict: { limit: 100_000, windowMs: 60_000 },
    },
    announceTokenRevoked: async () => {},
    eventHub,
    isCallerStillValid: async () => true,
    // Fast retries so resilience tests take milliseconds, not seconds.
    modelGateway: createModelGateway({
      retry: { initialDelayMs: 1, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 200 },
    }),
    scheduleTask: scheduleAgentTask,
    pipelineQueue,
    scheduleQueue,
    // A data directory of its own per services instance, so workspaces of different test files never meet.
    dataDir: mkdtempSync(path.join(tmpdir(), "gathering-api-data-")),
    ...overrides,
  };
}

export function callerFor(services: ApiServices, caller: Caller | null, headers: Record<string, string> = {}) {
  return createCaller(createContext({ services, headers: new Headers({ "x-gathering-client-ip": "203.0.113.7", ...headers }), caller }));
}

/**
 * Signs a person up (open sign-up, cheap bcrypt), which gives them a project of their own, and returns
 * the caller the API sees for their session.
 */
export async function signUpCaller(
  db: Database,
  name: string,
  email = `${name.toLowerCase().replaceAll(" ", "-")}@example.com`,
): Promise<{ caller: Caller; userId: string; projectId: string }> {
  const account = await signUp(
    db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email, name, password: "correct horse battery staple" },
  );
  return { caller: { userId: account.id, source: "session" }, userId: account.id, projectId: account.projectId };
}
