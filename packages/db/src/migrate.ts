/**
 * Applies the committed drizzle migrations under a PostgreSQL advisory lock, so that several instances
 * starting at once migrate exactly once: the first takes the lock and migrates, the others wait for it
 * and then find nothing left to do.
 */
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as drizzleMigrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { countAppliedMigrations } from "./migration-status";

/** Arbitrary but fixed: every GatheRing process migrating this database contends for this key. */
export const MIGRATION_LOCK_KEY = 7_264_001;

export function defaultMigrationsFolder(): string {
  return fileURLToPath(new URL("../../../drizzle", import.meta.url));
}

export interface MigrateOptions {
  migrationsFolder?: string;
  /** Further idempotent schema steps run while the lock is still held (e.g. the job queue schema). */
  extraSteps?: ReadonlyArray<(connectionString: string) => Promise<void>>;
}

export interface MigrateResult {
  /** Migrations this call applied (0 when another process had already done it). */
  applied: number;
  /** True when another process held the lock and this call waited for it. */
  waitedForLock: boolean;
}

export async function migrate(connectionString: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  // One connection: the session-level advisory lock and the migration statements share it.
  const sql = postgres(connectionString, { max: 1, onnotice: () => {}, connection: { application_name: "gathering-migrate" } });
  try {
    const [attempt] = await sql<{ locked: boolean }[]>`select pg_try_advisory_lock(${MIGRATION_LOCK_KEY}) as locked`;
    const waitedForLock = !attempt?.locked;
    if (waitedForLock) await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      const before = await countAppliedMigrations(sql);
      await drizzleMigrate(drizzle(sql), { migrationsFolder: options.migrationsFolder ?? defaultMigrationsFolder() });
      const after = await countAppliedMigrations(sql);
      for (const step of options.extraSteps ?? []) await step(connectionString);
      return { applied: after - before, waitedForLock };
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
