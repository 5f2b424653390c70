/** Query functions for the hash-chained audit log and the rate-limit counters. */
import { and, desc, eq, gte, ilike, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { auditLog } from "../schema";
import { containsPattern } from "./search";

export interface AuditEventInput {
  projectId?: string | null;
  actorUserId?: string | null;
  action: string;
  target?: string | null;
  metadata?: Record<string, unknown>;
  ip?: string | null;
}

/** Appends an event; the database trigger chains its hash to the previous row's. */
export async function insertAuditEvent(db: DbExecutor, event: AuditEventInput): Promise<void> {
  await db.insert(auditLog).values({
    projectId: event.projectId ?? null,
    actorUserId: event.actorUserId ?? null,
    action: event.action,
    target: event.target ?? null,
    metadata: event.metadata ?? {},
    ip: event.ip ?? null,
  });
}

export interface ListAuditEventsParams {
  projectId: string;
  action?: string;
  actorUserId?: string;
  from?: Date;
  to?: Date;
  /** Part of the target or of the details (metadata), case-insensitive. */
  search?: string;
  /** Returns events with an id below this (keyset pagination, newest first). */
  beforeId?: number;
  limit: number;
}

export async function listAuditEvents(db: DbExecutor, params: ListAuditEventsParams) {
  const conditions: SQL[] = [eq(auditLog.projectId, params.projectId)];
  if (params.action) conditions.push(eq(auditLog.action, params.action));
  if (params.actorUserId) conditions.push(eq(auditLog.actorUserId, params.actorUserId));
  if (params.from) conditions.push(gte(auditLog.createdAt, params.from));
  if (params.to) conditions.push(lte(auditLog.createdAt, params.to));
  if (params.beforeId) conditions.push(lt(auditLog.id, params.beforeId));
  if (params.search) {
    const pattern = containsPattern(params.search);
    const matches = or(ilike(auditLog.target, pattern), ilike(sql`${auditLog.metadata}::text`, pattern));
    if (matches) conditions.push(matches);
  }
  return db
    .select({
      id: auditLog.id,
      action: auditLog.action,
      actorUserId: auditLog.actorUserId,
      target: auditLog.target,
      metadata: auditLog.metadata,
      ip: auditLog.ip,
      createdAt: auditLog.createdAt,
    })
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(params.limit);
}

export interface AuditChainVerification {
  isValid: boolean;
  checked: number;
  /** The first row whose hash or link does not match, if any. */
  firstInvalidId: number | null;
}

/** Recomputes every row's hash with the same expression the trigger uses and checks each link. */
export async function verifyAuditChain(db: DbExecutor): Promise<AuditChainVerification> {
  const rows = await db.execute<{ checked: number; first_invalid_id: string | null }>(sql`
    with chain as (
      select id, hash, prev_hash,
             lag(hash) over (order by id) as expected_prev,
             gathering_audit_hash(prev_hash, id, project_id, actor_user_id, action, target, metadata, ip, created_at) as expected_hash
      from audit_log
    )
    select count(*)::int as checked,
           min(id) filter (where hash is distinct from expected_hash or prev_hash is distinct from expected_prev)::text as first_invalid_id
    from chain`);
  const row = rows[0];
  const firstInvalidId = row?.first_invalid_id ? Number(row.first_invalid_id) : null;
  return { isValid: firstInvalidId === null, checked: row?.checked ?? 0, firstInvalidId };
}

export interface RateLimitHit {
  count: number;
  resetAt: Date;
}

/** Counts one hit on `key` in a fixed window, atomically; returns the count within the current window. */
export async function hitRateLimit(db: DbExecutor, params: { key: string; windowMs: number; cost?: number }): Promise<RateLimitHit> {
  const cost = params.cost ?? 1;
  const rows = await db.execute<{ count: number; reset_at: Date }>(sql`
    insert into rate_limit_buckets as bucket (key, window_start, count)
    values (${params.key}, now(), ${cost})
    on conflict (key) do update set
      window_start = case when bucket.window_start <= now() - make_interval(secs => ${params.windowMs / 1000}) then now() else bucket.window_start end,
      count = case when bucket.window_start <= now() - make_interval(secs => ${params.windowMs / 1000}) then ${cost} else bucket.count + ${cost} end
    returning count, window_start + make_interval(secs => ${params.windowMs / 1000}) as reset_at`);
  const row = rows[0];
  return { count: row?.count ?? cost, resetAt: new Date(row?.reset_at ?? Date.now() + params.windowMs) };
}

/** The count on `key` in the current window, without counting a hit. */
export async function peekRateLimit(db: DbExecutor, params: { key: string; windowMs: number }): Promise<number> {
  const rows = await db.execute<{ count: number }>(sql`
    select count from rate_limit_buckets
    where key = ${params.key} and window_start > now() - make_interval(secs => ${params.windowMs / 1000})`);
  return rows[0]?.count ?? 0;
}

export async function deleteExpiredRateLimits(db: DbExecutor, olderThanMs: number): Promise<void> {
  await db.execute(sql`delete from rate_limit_buckets where window_start < now() - make_interval(secs => ${olderThanMs / 1000})`);
}
