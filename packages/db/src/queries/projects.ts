/** Query functions for projects, their members and invitations. */
import { and, asc, count, eq, gt, isNull, sql } from "drizzle-orm";
import type { DbExecutor } from "../client";
import { projectInvitations, projectMembers, projects, users } from "../schema";

export type ProjectRoleName = (typeof projectMembers.$inferSelect)["role"];
export type Project = typeof projects.$inferSelect;

export async function insertProject(db: DbExecutor, params: { name: string; createdByUserId: string }): Promise<Project> {
  const [project] = await db.insert(projects).values(params).returning();
  if (!project) throw new Error("insert into projects returned no row");
  return project;
}

export async function findProjectById(db: DbExecutor, projectId: string): Promise<Project | undefined> {
  const [project] = await db.select().from(projects).where(eq(projects.id, projectId));
  return project;
}

export async function updateProjectName(db: DbExecutor, params: { projectId: string; name: string }): Promise<Project | undefined> {
  const [project] = await db.update(projects).set({ name: params.name }).where(eq(projects.id, params.projectId)).returning();
  return project;
}

export async function listProjectsForUser(db: DbExecutor, userId: string) {
  return db
    .select({ id: projects.id, name: projects.name, role: projectMembers.role, createdAt: projects.createdAt })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(eq(projectMembers.userId, userId))
    .orderBy(asc(projects.createdAt));
}

export async function findMemberRole(db: DbExecutor, params: { projectId: string; userId: string }): Promise<ProjectRoleName | null> {
  const [row] = await db
    .select({ role: projectMembers.role })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, params.projectId), eq(projectMembers.userId, params.userId)));
  return row?.role ?? null;
}

export async function upsertMember(db: DbExecutor, params: { projectId: string; userId: string; role: ProjectRoleName }): Promise<void> {
  await db
    .insert(projectMembers)
    .values(params)
    .onConflictDoUpdate({ target: [projectMembers.projectId, projectMembers.userId], set: { role: params.role } });
}

export async function updateMemberRole(
  db: DbExecutor,
  params: { projectId: string; userId: string; role: ProjectRoleName },
): Promise<boolean> {
  const updated = await db
    .update(projectMembers)
    .set({ role: params.role })
    .where(and(eq(projectMembers.projectId, params.projectId), eq(projectMembers.userId, params.userId)))
    .returning({ userId: projectMembers.userId });
  return updated.length > 0;
}

export async function deleteMember(db: DbExecutor, params: { projectId: string; userId: string }): Promise<boolean> {
  const deleted = await db
    .delete(projectMembers)
    .where(and(eq(projectMembers.projectId, params.projectId), eq(projectMembers.userId, params.userId)))
    .returning({ userId: projectMembers.userId });
  return deleted.length > 0;
}

/** Owners of a project, locked so that concurrent demotions cannot leave it without one. */
export async function countOwnersForUpdate(db: DbExecutor, projectId: string): Promise<number> {
  const rows = await db
    .select({ userId: projectMembers.userId })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.role, "owner")))
    .for("update");
  return rows.length;
}

export async function listMembers(db: DbExecutor, projectId: string) {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: projectMembers.role, joinedAt: projectMembers.createdAt })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, projectId))
    .orderBy(asc(projectMembers.createdAt));
}

export async function insertInvitation(
  db: DbExecutor,
  params: { projectId: string; email: string; role: ProjectRoleName; tokenHash: string; invitedByUserId: string; expiresAt: Date },
) {
  const [invitation] = await db
    .insert(projectInvitations)
    .values({ ...params, email: params.email.toLowerCase() })
    .returning();
  if (!invitation) throw new Error("insert into project_invitations returned no row");
  return invitation;
}

export async function listPendingInvitations(db: DbExecutor, projectId: string) {
  return db
    .select({
      id: projectInvitations.id,
      email: projectInvitations.email,
      role: projectInvitations.role,
      expiresAt: projectInvitations.expiresAt,
      createdAt: projectInvitations.createdAt,
    })
    .from(projectInvitations)
    .where(
      and(
        eq(projectInvitations.projectId, projectId),
        isNull(projectInvitations.acceptedAt),
        isNull(projectInvitations.revokedAt),
        gt(projectInvitations.expiresAt, sql`now()`),
      ),
    )
    .orderBy(asc(projectInvitations.createdAt));
}

/** A usable invitation by token hash, locked for the acceptance transaction. */
export async function findUsableInvitationForUpdate(db: DbExecutor, tokenHash: string) {
  const [invitation] = await db
    .select()
    .from(projectInvitations)
    .where(
      and(
        eq(projectInvitations.tokenHash, tokenHash),
        isNull(projectInvitations.acceptedAt),
        isNull(projectInvitations.revokedAt),
        gt(projectInvitations.expiresAt, sql`now()`),
      ),
    )
    .for("update");
  return invitation;
}

export async function markInvitationAccepted(db: DbExecutor, invitationId: string): Promise<void> {
  await db.update(projectInvitations).set({ acceptedAt: sql`now()` }).where(eq(projectInvitations.id, invitationId));
}

export async function revokeInvitation(db: DbExecutor, params: { projectId: string; invitationId: string }): Promise<boolean> {
  const updated = await db
    .update(projectInvitations)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(projectInvitations.id, params.invitationId),
        eq(projectInvitations.projectId, params.projectId),
        isNull(projectInvitations.acceptedAt),
      ),
    )
    .returning({ id: projectInvitations.id });
  return updated.length > 0;
}

export async function countProjects(db: DbExecutor): Promise<number> {
  const [row] = await db.select({ value: count() }).from(projects);
  return row?.value ?? 0;
}
