/**
 * workspace.*: the project's files (tree, read, write, mkdir, rename, delete, search). Viewers read;
 * members change. Paths are checked by the core path guard; uploads and downloads stream over plain HTTP
 * (packages/server/src/workspace-http.ts), not through tRPC.
 */
import {
  AppError,
  createWorkspaceFolder,
  deleteWorkspaceEntry,
  listWorkspaceTree,
  readWorkspaceFile,
  renameWorkspaceEntry,
  searchWorkspace,
  type WorkspaceAccess,
  writeWorkspaceFile,
} from "@gathering/core";
import { z } from "zod";
import type { Context } from "../../context";
import { createTRPCRouter, projectProcedure } from "../../trpc";

/** Length only: the path guard gives the precise, typed refusal for everything else. */
const ZPath = z.string().max(4096);
const ZNamedPath = ZPath.min(1, "Name a file or folder");

/** Text written through tRPC; larger files go through the streamed upload. */
const MAX_TEXT_WRITE_CHARS = 2 * 1024 * 1024;

function workspaceAccess(ctx: Context): WorkspaceAccess {
  if (!ctx.services.dataDir) throw new AppError("UNAVAILABLE", "Project workspaces are not configured on this server");
  return { db: ctx.db, dataDir: ctx.services.dataDir };
}

export const workspaceRouter = createTRPCRouter({
  tree: projectProcedure("viewer")
    .input(z.object({ path: ZPath.default(""), depth: z.number().int().min(1).max(8).default(3) }))
    .query(({ ctx, input }) =>
      listWorkspaceTree(workspaceAccess(ctx), { projectId: ctx.project.id, path: input.path, depth: input.depth }),
    ),

  read: projectProcedure("viewer")
    .input(z.object({ path: ZNamedPath }))
    .query(({ ctx, input }) => readWorkspaceFile(workspaceAccess(ctx), { projectId: ctx.project.id, path: input.path })),

  search: projectProcedure("viewer")
    .input(
      z.object({
        query: z.string().trim().min(1, "Type something to search for").max(200),
        path: ZPath.default(""),
        limit: z.number().int().min(1).max(50).default(50),
      }),
    )
    .query(({ ctx, input }) => searchWorkspace(workspaceAccess(ctx), { ...input, projectId: ctx.project.id })),

  write: projectProcedure("member")
    .input(z.object({ path: ZNamedPath, content: z.string().max(MAX_TEXT_WRITE_CHARS), createOnly: z.boolean().default(false) }))
    .mutation(({ ctx, input }) =>
      writeWorkspaceFile(workspaceAccess(ctx), ctx.actor, {
        projectId: ctx.project.id,
        path: input.path,
        content: input.content,
        isCreateOnly: input.createOnly,
      }),
    ),

  mkdir: projectProcedure("member")
    .input(z.object({ path: ZNamedPath }))
    .mutation(({ ctx, input }) => createWorkspaceFolder(workspaceAccess(ctx), ctx.actor, { projectId: ctx.project.id, path: input.path })),

  rename: projectProcedure("member")
    .input(z.object({ from: ZNamedPath, to: ZNamedPath, overwrite: z.boolean().default(false) }))
    .mutation(({ ctx, input }) =>
      renameWorkspaceEntry(workspaceAccess(ctx), ctx.actor, {
        projectId: ctx.project.id,
        from: input.from,
        to: input.to,
        isOverwrite: input.overwrite,
      }),
    ),

  delete: projectProcedure("member")
    .input(z.object({ path: ZNamedPath, recursive: z.boolean().default(false) }))
    .mutation(({ ctx, input }) =>
      deleteWorkspaceEntry(workspaceAccess(ctx), ctx.actor, { projectId: ctx.project.id, path: input.path, isRecursive: input.recursive }),
    ),
});
