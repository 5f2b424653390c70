/** Compares the migrations applied to a database with the ones this build ships. */
import type postgres from "postgres";
import journal from "../../../drizzle/meta/_journal.json";

/** The migrations this build expects, straight from the committed journal. */
export const expectedMigrations = journal.entries.map((entry) => ({ tag: entry.tag, createdAt: entry.when }));

export async function countAppliedMigrations(sql: postgres.Sql): Promise<number> {
  const [row] = await sql<{ exists: string | null }[]>`select to_regclass('drizzle.__drizzle_migrations')::text as exists`;
  if (!row?.exists) return 0;
  const [count] = await sql<{ count: number }[]>`select count(*)::int as count from drizzle.__drizzle_migrations`;
  return count?.count ?? 0;
}

export interface MigrationStatus {
  isCurrent: boolean;
  applied: number;
  expected: number;
}

/** Whether the database has every migration this build ships (used by the readiness probe). */
export async function getMigrationStatus(sql: postgres.Sql): Promise<MigrationStatus> {
  const applied = await countAppliedMigrations(sql);
  const expected = expectedMigrations.length;
  if (applied < expected) return { isCurrent: false, applied, expected };
  const latest = expectedMigrations.at(-1);
  if (!latest) return { isCurrent: true, applied, expected };
  const [row] = await sql<{ found: boolean }[]>`
    select exists(select 1 from drizzle.__drizzle_migrations where created_at = ${latest.createdAt}) as found`;
  return { isCurrent: Boolean(row?.found), applied, expected };
}
