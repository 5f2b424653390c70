/** Audit events: what happened, who did it, to what. Appended in the caller's transaction. */
import { type AuditEventInput, type DbExecutor, insertAuditEvent } from "@gathering/db";

export const auditActions = [
  "auth.sign_up",
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_out",
  "project.create",
  "project.rename",
  "member.invite",
  "member.invitation_revoke",
  "member.join",
  "member.role_change",
  "member.remove",
  "token.create",
  "token.revoke",
  "settings.update",
  "secrets.rotate",
  "agent.create",
  "agent.update",
  "agent.archive",
  "agent.restore",
  "agent.memory_delete",
  "usage.settings_update",
  "task.cancel",
  "workspace.write",
  "workspace.delete",
  "workspace.rename",
  "tool.approve",
  "tool.reject",
  "mcp.create",
  "mcp.update",
  "mcp.delete",
  "pipeline.create",
  "pipeline.update",
  "pipeline.archive",
  "pipeline.restore",
  "pipeline.run",
  "pipeline.cancel",
  "pipeline.approve",
  "pipeline.reject",
] as const;

export type AuditAction = (typeof auditActions)[number];

export function recordAudit(db: DbExecutor, event: AuditEventInput & { action: AuditAction }): Promise<void> {
  return insertAuditEvent(db, event);
}
