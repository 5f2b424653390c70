/** projects.get: one project and the caller's role in it. */
import { AppError } from "@gathering/core";
import { findProjectById } from "@gathering/db";
import { projectProcedure } from "../../trpc";

export const get = projectProcedure("viewer").query(async ({ ctx }) => {
  const project = await findProjectById(ctx.db, ctx.project.id);
  if (!project) throw new AppError("NOT_FOUND", "Project not found");
  return { id: project.id, name: project.name, createdAt: project.createdAt, role: ctx.project.role };
});
