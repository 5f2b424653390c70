/** Query functions for users and signed-out sessions. */
import { count, eq, lt, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { revokedSessions, users } from "../schema";

export type User = typeof users.$inferSelect;

export async function countUsers(db: DbExecutor): Promise<number> {
  const [row] = await db.select({ value: count() }).from(users);
  return row?.value ?? 0;
}

export async function insertUser(db: DbExecutor, params: { email: string; name: string; passwordHash: string }): Promise<User | undefined> {
  const [user] = await db
    .insert(users)
    .values({ email: params.email.toLowerCase(), name: params.name, passwordHash: params.passwordHash })
    .onConflictDoNothing()
    .returning();
  return user;
}

export async function findUserByEmail(db: DbExecutor, email: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return user;
}

export async function findUserById(db: DbExecutor, userId: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  return user;
}

export async function insertRevokedSession(db: DbExecutor, params: { jti: string; userId: string; expiresAt: Date }): Promise<void> {
  await db.insert(revokedSessions).values(params).onConflictDoNothing();
}

export async function isSessionRevoked(db: DbExecutor, jti: string): Promise<boolean> {
  const [row] = await db.select({ jti: revokedSessions.jti }).from(revokedSessions).where(eq(revokedSessions.jti, jti));
  return Boolean(row);
}

/** Forgets revocations of tokens that have expired anyway. */
export async function deleteExpiredRevokedSessions(db: DbExecutor): Promise<number> {
  const deleted = await db.delete(revokedSessions).where(lt(revokedSessions.expiresAt, sql`now()`)).returning({ jti: revokedSessions.jti });
  return deleted.length;
}
