/**
 * The file tools: an agent reads, writes, lists and searches its project's workspace, through the same
 * guarded functions as the dashboard (../../workspace/workspace.ts), so the same paths are refused and
 * the same limits hold. Writes are audited with the agent's id and announced as `workspace.changed`.
 */
import { z } from "zod";
import { AppError } from "../../errors";
import { listWorkspaceTree, readWorkspaceFile, searchWorkspace, type WorkspaceAccess, writeWorkspaceFile } from "../../workspace/workspace";
import { defineTool, type ToolContext } from "../registry";

const ZWorkspacePath = z.string().max(4096).describe("A path relative to the project's workspace root, such as notes/plan.md");

function workspaceAccess(context: ToolContext): WorkspaceAccess {
  const dataDir = context.services.dataDir;
  if (!dataDir)
    throw new AppError("UNAVAILABLE", "The project workspace is not available in this process (no data directory is configured)");
  return { db: context.db, dataDir };
}

export const fileReadTool = defineTool({
  name: "file_read",
  category: "files",
  description: "Read a text file from the project's workspace (up to 1 MiB).",
  input: z.object({ path: ZWorkspacePath.min(1) }),
  maxOutputChars: 60_000,
  async execute(input, context) {
    const file = await readWorkspaceFile(workspaceAccess(context), { projectId: context.projectId, path: input.path });
    if (file.isBinary)
      return { path: file.path, size: file.size, isBinary: true, note: "This is a binary file; it cannot be read as text." };
    return { path: file.path, size: file.size, modifiedAt: file.modifiedAt, content: file.content };
  },
});

export const fileWriteTool = defineTool({
  name: "file_write",
  category: "files",
  description:
    "Create or replace a text file in the project's workspace. Missing folders are created. Set createOnly to refuse replacing an existing file.",
  input: z.object({
    path: ZWorkspacePath.min(1),
    content: z.string().max(10 * 1024 * 1024),
    createOnly: z.boolean().default(false),
  }),
  sideEffect: true,
  async execute(input, context) {
    const result = await writeWorkspaceFile(
      workspaceAccess(context),
      { userId: context.userId, agentId: context.agentId },
      { projectId: context.projectId, path: input.path, content: input.content, isCreateOnly: input.createOnly },
    );
    return { path: result.path, size: result.size, created: result.isCreated };
  },
});

export const fileListTool = defineTool({
  name: "file_list",
  category: "files",
  description: "List files and folders of the project's workspace, with sizes, a few levels deep.",
  input: z.object({
    path: ZWorkspacePath.default(""),
    depth: z.number().int().min(1).max(5).default(2),
  }),
  async execute(input, context) {
    const tree = await listWorkspaceTree(workspaceAccess(context), { projectId: context.projectId, path: input.path, depth: input.depth });
    // A flat list of paths reads better to a model than nested objects.
    const lines: string[] = [];
    const visit = (entries: typeof tree.entries) => {
      for (const entry of entries) {
        lines.push(entry.kind === "directory" ? `${entry.path}/` : `${entry.path} (${entry.size} bytes)`);
        if (entry.children) visit(entry.children);
      }
    };
    visit(tree.entries);
    return { path: tree.path || "/", entries: lines, truncated: tree.isTruncated };
  },
});

export const fileSearchTool = defineTool({
  name: "file_search",
  category: "files",
  description: "Find files in the project's workspace whose name or text contains a query (case-insensitive).",
  input: z.object({
    query: z.string().trim().min(1).max(200),
    path: ZWorkspacePath.default(""),
    limit: z.number().int().min(1).max(50).default(20),
  }),
  async execute(input, context) {
    const result = await searchWorkspace(workspaceAccess(context), {
      projectId: context.projectId,
      query: input.query,
      path: input.path,
      limit: input.limit,
    });
    return { matches: result.matches, truncated: result.isTruncated };
  },
});

export const fileTools = [fileReadTool, fileWriteTool, fileListTool, fileSearchTool];
