/**
 * Answers "is this browser session signed out?" and "which API token is this?" in well under a
 * millisecond once warm, while staying correct across instances: results are cached in bounded LRUs,
 * every revocation is announced with NOTIFY, and each instance drops what it cached on hearing it (or
 * everything, when its LISTEN connection had to reconnect and may have missed an announcement).
 */
import { type VerifiedApiToken, verifyApiToken } from "@gathering/core";
import { type Database, insertRevokedSession, isSessionRevoked } from "@gathering/db";
import { sql } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import type postgres from "postgres";

export const REVOCATION_CHANNEL = "gathering_revocations";

export interface RevocationCacheOptions {
  maxEntries?: number;
  /** Safety net on top of NOTIFY: how long a "still valid" answer may be reused. */
  validTtlMs?: number;
}

const NOT_FOUND = "none" as const;

export class RevocationCache {
  private readonly sessions: LRUCache<string, boolean>;
  private readonly tokens: LRUCache<string, VerifiedApiToken | typeof NOT_FOUND>;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    options: RevocationCacheOptions = {},
  ) {
    const max = options.maxEntries ?? 10_000;
    const ttl = options.validTtlMs ?? 60_000;
    this.sessions = new LRUCache({ max, ttl });
    this.tokens = new LRUCache({ max, ttl });
  }

  /** Subscribes to revocations from every instance; call once per process. */
  async listen(sql: postgres.Sql): Promise<void> {
    const subscription = await sql.listen(
      REVOCATION_CHANNEL,
      (payload) => this.forget(payload),
      // Runs on every (re)connect: announcements may have been missed while disconnected.
      () => this.clear(),
    );
    this.unlisten = () => subscription.unlisten();
  }

  async close(): Promise<void> {
    await this.unlisten?.();
  }

  clear(): void {
    this.sessions.clear();
    this.tokens.clear();
  }

  private forget(payload: string): void {
    const [kind, id] = [payload.slice(0, payload.indexOf(":")), payload.slice(payload.indexOf(":") + 1)];
    if (kind === "session") this.sessions.set(id, true, { ttl: 0 });
    else if (kind === "token") this.tokens.delete(id);
  }

  async isSessionRevoked(sessionId: string): Promise<boolean> {
    const cached = this.sessions.get(sessionId);
    if (cached !== undefined) return cached;
    const isRevoked = await isSessionRevoked(this.db, sessionId);
    // A revocation is forever; keep it without expiry (the LRU bound still applies).
    this.sessions.set(sessionId, isRevoked, isRevoked ? { ttl: 0 } : undefined);
    return isRevoked;
  }

  /** Records a sign-out in PostgreSQL and tells every instance, in one transaction. */
  async revokeSession(params: { sessionId: string; userId: string; expiresAt: Date }): Promise<void> {
    await this.db.transaction(async (tx) => {
      await insertRevokedSession(tx, { jti: params.sessionId, userId: params.userId, expiresAt: params.expiresAt });
      await tx.execute(sql`select pg_notify(${REVOCATION_CHANNEL}, ${`session:${params.sessionId}`})`);
    });
    this.sessions.set(params.sessionId, true, { ttl: 0 });
  }

  async verifyApiToken(presented: string, tokenHash: string): Promise<VerifiedApiToken | null> {
    const cached = this.tokens.get(tokenHash);
    if (cached !== undefined) return cached === NOT_FOUND ? null : cached;
    const verified = await verifyApiToken(this.db, presented);
    this.tokens.set(tokenHash, verified ?? NOT_FOUND);
    return verified;
  }

  /** Tells every instance to forget a revoked token. */
  async announceTokenRevoked(tokenHash: string): Promise<void> {
    this.tokens.delete(tokenHash);
    await this.db.execute(sql`select pg_notify(${REVOCATION_CHANNEL}, ${`token:${tokenHash}`})`);
  }
}
