/**
 * What every procedure receives: the database, a request-scoped logger carrying the request id, and
 * the caller's identity once auth has resolved it.
 */
import { randomUUID } from "node:crypto";
import type { DatabaseKind, Logger } from "@gathering/core";
import type { Database } from "@gathering/db";

export const projectRoles = ["viewer", "member", "admin", "owner"] as const;
export type ProjectRole = (typeof projectRoles)[number];

/** Who is calling. Browser sessions and API tokens both resolve to this. */
export interface Caller {
  userId: string;
  /** API tokens are bound to one project and a role; sessions are not. */
  tokenScope?: { projectId: string; role: ProjectRole };
}

/** Long-lived services shared by every request of one process. */
export interface ApiServices {
  db: Database;
  logger: Logger;
  databaseKind: DatabaseKind;
  /** The caller's role in a project, or null when they are not a member. Provided by the auth layer. */
  resolveProjectRole: (db: Database, userId: string, projectId: string) => Promise<ProjectRole | null>;
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
  };
}

export type Context = ReturnType<typeof createContext>;
