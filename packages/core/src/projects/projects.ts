/** Projects (the tenants) and their membership: who may do what in which project. */
import {
  countOwnersForUpdate,
  type Database,
  type DbExecutor,
  deleteMember,
  findMemberRole,
  findUsableInvitationForUpdate,
  findUserByEmail,
  insertInvitation,
  insertProject,
  listMembers,
  listPendingInvitations,
  listProjectsForUser,
  markInvitationAccepted,
  type ProjectRoleName,
  revokeInvitation,
  updateMemberRole,
  updateProjectName,
  upsertMember,
} from "@gathering/db";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { generateSecretToken, hashToken, INVITATION_TOKEN_PREFIX } from "../security/tokens";
import { hasControlCharacters } from "../validation";

export const projectRoleNames = ["viewer", "member", "admin", "owner"] as const satisfies readonly ProjectRoleName[];
export const ZProjectRole = z.enum(projectRoleNames);

/** Whether `role` is `minRole` or higher (viewer < member < admin < owner). */
export function hasRole(role: ProjectRoleName, minRole: ProjectRoleName): boolean {
  return projectRoleNames.indexOf(role) >= projectRoleNames.indexOf(minRole);
}

export const ZProjectName = z
  .string()
  .trim()
  .min(1, "Enter a project name")
  .max(100, "Use at most 100 characters")
  .refine((value) => !hasControlCharacters(value), "Project names cannot contain control characters");

export interface Actor {
  userId: string;
  ip?: string | null;
}

export function resolveProjectRole(db: DbExecutor, userId: string, projectId: string): Promise<ProjectRoleName | null> {
  return findMemberRole(db, { projectId, userId });
}

export function listMyProjects(db: DbExecutor, actor: Actor) {
  return listProjectsForUser(db, actor.userId);
}

export async function createProject(db: Database, actor: Actor, input: { name: string }) {
  return db.transaction(async (tx) => {
    const project = await insertProject(tx, { name: input.name, createdByUserId: actor.userId });
    await upsertMember(tx, { projectId: project.id, userId: actor.userId, role: "owner" });
    await recordAudit(tx, {
      projectId: project.id,
      actorUserId: actor.userId,
      action: "project.create",
      target: project.name,
      ip: actor.ip,
    });
    return { id: project.id, name: project.name, role: "owner" as const, createdAt: project.createdAt };
  });
}

export async function renameProject(db: Database, actor: Actor, input: { projectId: string; name: string }) {
  return db.transaction(async (tx) => {
    const project = await updateProjectName(tx, input);
    if (!project) throw new AppError("NOT_FOUND", "Project not found");
    await recordAudit(tx, {
      projectId: project.id,
      actorUserId: actor.userId,
      action: "project.rename",
      target: project.name,
      ip: actor.ip,
    });
    await publishEvent(tx, project.id, "project.updated", { name: project.name });
    return { id: project.id, name: project.name };
  });
}

export function listProjectMembers(db: DbExecutor, projectId: string) {
  return listMembers(db, projectId);
}

export function listProjectInvitations(db: DbExecutor, projectId: string) {
  return listPendingInvitations(db, projectId);
}

const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** Creates an invitation; the returned token is shown once (as a link) and stored only as a hash. */
export async function inviteMember(
  db: Database,
  actor: Actor & { role: ProjectRoleName },
  input: { projectId: string; email: string; role: ProjectRoleName },
) {
  if (input.role === "owner" && actor.role !== "owner") throw new AppError("FORBIDDEN", "Only an owner can invite another owner");
  const existing = await findUserByEmail(db, input.email);
  if (existing && (await findMemberRole(db, { projectId: input.projectId, userId: existing.id }))) {
    throw new AppError("CONFLICT", "This person is already a member of the project");
  }
  const token = generateSecretToken(INVITATION_TOKEN_PREFIX);
  return db.transaction(async (tx) => {
    const invitation = await insertInvitation(tx, {
      projectId: input.projectId,
      email: input.email,
      role: input.role,
      tokenHash: hashToken(token),
      invitedByUserId: actor.userId,
      expiresAt: new Date(Date.now() + INVITATION_LIFETIME_MS),
    });
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "member.invite",
      target: invitation.email,
      metadata: { role: input.role },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "invitations.changed", { invitationId: invitation.id, change: "created" });
    return { id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt, token };
  });
}

export async function cancelInvitation(db: Database, actor: Actor, input: { projectId: string; invitationId: string }) {
  await db.transaction(async (tx) => {
    if (!(await revokeInvitation(tx, input))) throw new AppError("NOT_FOUND", "Invitation not found");
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "member.invitation_revoke",
      target: input.invitationId,
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "invitations.changed", { invitationId: input.invitationId, change: "cancelled" });
  });
}

/** An existing user accepts an invitation link while signed in. */
export async function acceptInvitation(db: Database, actor: Actor & { email: string }, input: { token: string }) {
  return db.transaction(async (tx) => {
    const invitation = await findUsableInvitationForUpdate(tx, hashToken(input.token));
    if (!invitation) throw new AppError("NOT_FOUND", "This invitation link is invalid, used or expired");
    if (invitation.email !== actor.email.toLowerCase())
      throw new AppError("FORBIDDEN", "This invitation was sent to another email address");
    const current = await findMemberRole(tx, { projectId: invitation.projectId, userId: actor.userId });
    if (!current) await upsertMember(tx, { projectId: invitation.projectId, userId: actor.userId, role: invitation.role });
    await markInvitationAccepted(tx, invitation.id);
    await recordAudit(tx, {
      projectId: invitation.projectId,
      actorUserId: actor.userId,
      action: "member.join",
      target: actor.email,
      metadata: { role: invitation.role },
      ip: actor.ip,
    });
    await publishEvent(tx, invitation.projectId, "members.changed", {
      userId: actor.userId,
      change: "joined",
      role: current ?? invitation.role,
    });
    return { projectId: invitation.projectId, role: current ?? invitation.role };
  });
}

async function assertKeepsAnOwner(tx: DbExecutor, projectId: string, targetUserId: string, nextRole: ProjectRoleName | null) {
  const currentRole = await findMemberRole(tx, { projectId, userId: targetUserId });
  if (!currentRole) throw new AppError("NOT_FOUND", "Member not found");
  if (currentRole === "owner" && nextRole !== "owner" && (await countOwnersForUpdate(tx, projectId)) <= 1) {
    throw new AppError("PRECONDITION_FAILED", "A project needs at least one owner; make someone else owner first");
  }
  return currentRole;
}

export async function changeMemberRole(
  db: Database,
  actor: Actor & { role: ProjectRoleName },
  input: { projectId: string; userId: string; role: ProjectRoleName },
) {
  return db.transaction(async (tx) => {
    const currentRole = await assertKeepsAnOwner(tx, input.projectId, input.userId, input.role);
    // Admins manage members and viewers; only owners touch owners.
    if ((currentRole === "owner" || input.role === "owner") && actor.role !== "owner") {
      throw new AppError("FORBIDDEN", "Only an owner can grant or take away the owner role");
    }
    await updateMemberRole(tx, input);
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "member.role_change",
      target: input.userId,
      metadata: { from: currentRole, to: input.role },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "members.changed", { userId: input.userId, change: "role_changed", role: input.role });
    return { userId: input.userId, role: input.role };
  });
}

export async function removeMember(db: Database, actor: Actor & { role: ProjectRoleName }, input: { projectId: string; userId: string }) {
  await db.transaction(async (tx) => {
    const currentRole = await assertKeepsAnOwner(tx, input.projectId, input.userId, null);
    if (currentRole === "owner" && actor.role !== "owner") throw new AppError("FORBIDDEN", "Only an owner can remove an owner");
    await deleteMember(tx, input);
    await recordAudit(tx, {
      projectId: input.projectId,
      actorUserId: actor.userId,
      action: "member.remove",
      target: input.userId,
      metadata: { role: currentRole },
      ip: actor.ip,
    });
    await publishEvent(tx, input.projectId, "members.changed", { userId: input.userId, change: "removed", role: null });
  });
}
