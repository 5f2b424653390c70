/**
 * Project workspaces: a folder per project at `<dataDir>/workspaces/<projectId>` (created on first use,
 * mode 0700) that people edit from the dashboard and agents through the file tools.
 *
 * Every path goes through the path guard (./path-guard.ts). Writes are atomic (a temporary file in the
 * target's folder, then rename), bounded per file and per project, serialised per project within a
 * process so the quota check and the write do not race, audited, and announced as a durable
 * `workspace.changed` event. Listings and the usage total are cached per project in a small LRU, dropped
 * on every change made through this process and after a few seconds in any case, because a worker's
 * agent may change the same folder from another process.
 */
import { randomUUID } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { type FileHandle, lstat, mkdir, open, readdir, rename, rm, rmdir, stat, unlink } from "node:fs/promises";
import path from "node:path";
import type { Database } from "@gathering/db";
import { LRUCache } from "lru-cache";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { isInsideDirectory, type ResolvedWorkspacePath, resolveWorkspacePath } from "./path-guard";

export interface WorkspaceLimits {
  /** Largest file `readWorkspaceFile` opens as text. */
  maxTextReadBytes: number;
  /** Largest file a write or an upload may produce. */
  maxFileBytes: number;
  /** All files of a project together. */
  maxProjectBytes: number;
  /** Files and folders of a project together. */
  maxProjectEntries: number;
  /** Entries one tree listing returns at most (then `truncated`). */
  maxTreeEntries: number;
  /** Deepest a tree listing goes. */
  maxTreeDepth: number;
  /** Matches one search returns at most. */
  maxSearchResults: number;
  /** Bytes of file content one search reads at most. */
  maxSearchBytes: number;
}

export const defaultWorkspaceLimits: WorkspaceLimits = {
  maxTextReadBytes: 1024 * 1024,
  maxFileBytes: 10 * 1024 * 1024,
  maxProjectBytes: 200 * 1024 * 1024,
  maxProjectEntries: 20_000,
  maxTreeEntries: 2_000,
  maxTreeDepth: 8,
  maxSearchResults: 50,
  maxSearchBytes: 32 * 1024 * 1024,
};

/** What the workspace functions need: the database (audit, events), the data directory and optional limits. */
export interface WorkspaceAccess {
  db: Database;
  dataDir: string;
  limits?: Partial<WorkspaceLimits>;
}

/** Who changes a workspace: a person (from the dashboard or the API) or an agent working for one. */
export interface WorkspaceActor {
  userId: string | null;
  ip?: string | null;
  agentId?: string;
}

export type WorkspaceEntryKind = "file" | "directory" | "symlink";

export interface WorkspaceEntry {
  path: string;
  name: string;
  kind: WorkspaceEntryKind;
  size: number;
  modifiedAt: string;
  /** Present for folders within the listed depth. */
  children?: WorkspaceEntry[];
}

export interface WorkspaceTree {
  path: string;
  entries: WorkspaceEntry[];
  /** More entries exist than the listing holds (entry cap or depth). */
  isTruncated: boolean;
  usage: { bytes: number; entries: number; limitBytes: number };
}

/** Names of in-flight atomic writes; never listed, searched or counted. */
const TEMPORARY_PREFIX = ".gathering-write-";
const CACHE_TTL_MS = 3_000;
const PROJECT_ID = /^[A-Za-z0-9-]{1,64}$/;

interface CachedProject {
  trees: Map<string, WorkspaceTree>;
  usage?: { bytes: number; entries: number };
}

const cache = new LRUCache<string, CachedProject>({ max: 500, ttl: CACHE_TTL_MS });
/** The tail of each project's chain of mutations in this process. */
const mutationQueues = new Map<string, Promise<unknown>>();

function limitsOf(access: WorkspaceAccess): WorkspaceLimits {
  return { ...defaultWorkspaceLimits, ...access.limits };
}

export function workspaceRootOf(dataDir: string, projectId: string): string {
  if (!PROJECT_ID.test(projectId)) throw new AppError("BAD_REQUEST", "Invalid project id", { projectId });
  return path.join(path.resolve(dataDir), "workspaces", projectId);
}

/** The project's workspace folder, created (mode 0700) when missing. */
export async function ensureWorkspaceRoot(dataDir: string, projectId: string): Promise<string> {
  const root = workspaceRootOf(dataDir, projectId);
  await mkdir(root, { recursive: true, mode: 0o700 });
  return root;
}

function cachedProject(root: string): CachedProject {
  let entry = cache.get(root);
  if (!entry) {
    entry = { trees: new Map() };
    cache.set(root, entry);
  }
  return entry;
}

/** Drops what is cached of one project's workspace (every change calls it). */
export function invalidateWorkspaceCache(dataDir: string, projectId: string): void {
  cache.delete(workspaceRootOf(dataDir, projectId));
}

function isErrno(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && "code" in error && codes.includes(String((error as NodeJS.ErrnoException).code));
}

function entryKind(stats: { isDirectory(): boolean; isSymbolicLink(): boolean }): WorkspaceEntryKind {
  return stats.isSymbolicLink() ? "symlink" : stats.isDirectory() ? "directory" : "file";
}

function joinRelative(parent: string, name: string): string {
  return parent === "" ? name : `${parent}/${name}`;
}

async function readFolder(directory: string): Promise<string[]> {
  try {
    const names = await readdir(directory);
    return names.filter((name) => !name.startsWith(TEMPORARY_PREFIX)).sort((a, b) => a.localeCompare(b));
  } catch (error) {
    if (isErrno(error, "ENOENT", "ENOTDIR")) return [];
    throw error;
  }
}

/** Every file and folder under the root, never following links: the quota's numbers. */
async function measureUsage(root: string): Promise<{ bytes: number; entries: number }> {
  const cached = cachedProject(root);
  if (cached.usage) return cached.usage;
  let bytes = 0;
  let entries = 0;
  const pending = [root];
  while (pending.length > 0) {
    const directory = pending.pop() as string;
    for (const name of await readFolder(directory)) {
      const full = path.join(directory, name);
      const stats = await lstat(full).catch(() => null);
      if (!stats) continue;
      entries += 1;
      if (stats.isDirectory()) pending.push(full);
      else if (stats.isFile()) bytes += stats.size;
    }
  }
  cached.usage = { bytes, entries };
  return cached.usage;
}

/** Runs one project's mutations one after another in this process, so a quota check holds until its write lands. */
async function serialised<T>(root: string, work: () => Promise<T>): Promise<T> {
  const previous = mutationQueues.get(root) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => {});
  mutationQueues.set(root, tail);
  try {
    return await run;
  } finally {
    if (mutationQueues.get(root) === tail) mutationQueues.delete(root);
  }
}

async function announce(
  access: WorkspaceAccess,
  actor: WorkspaceActor,
  projectId: string,
  change: { action: "workspace.write" | "workspace.delete" | "workspace.rename"; event: "written" | "deleted" | "renamed" | "created" },
  target: string,
  metadata: Record<string, unknown>,
): Promise<void> {
  invalidateWorkspaceCache(access.dataDir, projectId);
  await access.db.transaction(async (tx) => {
    await recordAudit(tx, {
      projectId,
      actorUserId: actor.userId,
      action: change.action,
      target,
      metadata: { ...metadata, ...(actor.agentId ? { agentId: actor.agentId } : {}) },
      ip: actor.ip ?? null,
    });
    await publishEvent(tx, projectId, "workspace.changed", { path: target, change: change.event });
  });
}

// ---------------------------------------------------------------------------------------------------
// Reading

/** A depth-limited listing (default 3 levels) of a folder, with sizes and modification times. */
export async function listWorkspaceTree(
  access: WorkspaceAccess,
  input: { projectId: string; path?: string; depth?: number },
): Promise<WorkspaceTree> {
  const limits = limitsOf(access);
  const root = await ensureWorkspaceRoot(access.dataDir, input.projectId);
  const depth = Math.max(1, Math.min(input.depth ?? 3, limits.maxTreeDepth));
  const resolved = await resolveWorkspacePath(root, input.path ?? "", { intent: "read" });
  const key = `${resolved.relative}\u0000${depth}`;
  const cached = cachedProject(root);
  const hit = cached.trees.get(key);
  if (hit) return hit;
  if (!resolved.exists) throw new AppError("NOT_FOUND", "No such folder in the workspace", { path: resolved.relative });
  const top = await stat(resolved.absolute);
  if (!top.isDirectory()) throw new AppError("BAD_REQUEST", "This is a file, not a folder", { path: resolved.relative });

  let remaining = limits.maxTreeEntries;
  let isTruncated = false;
  const walk = async (directory: string, relative: string, level: number): Promise<WorkspaceEntry[]> => {
    const entries: WorkspaceEntry[] = [];
    for (const name of await readFolder(directory)) {
      if (remaining <= 0) {
        isTruncated = true;
        break;
      }
      const full = path.join(directory, name);
      const stats = await lstat(full).catch(() => null);
      if (!stats) continue;
      remaining -= 1;
      const entry: WorkspaceEntry = {
        path: joinRelative(relative, name),
        name,
        kind: entryKind(stats),
        size: stats.isFile() ? stats.size : 0,
        modifiedAt: stats.mtime.toISOString(),
      };
      if (stats.isDirectory()) {
        if (level < depth) entry.children = await walk(full, entry.path, level + 1);
        else if ((await readFolder(full)).length > 0) isTruncated = true;
      }
      entries.push(entry);
    }
    // Folders first, then files, each by name.
    return entries.sort((a, b) => Number(b.kind === "directory") - Number(a.kind === "directory") || a.name.localeCompare(b.name));
  };
  const entries = await walk(resolved.absolute, resolved.relative, 1);
  const usage = await measureUsage(root);
  const tree: WorkspaceTree = {
    path: resolved.relative,
    entries,
    isTruncated,
    usage: { bytes: usage.bytes, entries: usage.entries, limitBytes: limits.maxProjectBytes },
  };
  cachedProject(root).trees.set(key, tree);
  return tree;
}

/** Whether bytes look like text: no NUL and valid UTF-8. */
export function isProbablyText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Opens a regular file for reading without following a link swapped in after the guard looked. */
async function openRegularFile(resolved: ResolvedWorkspacePath): Promise<{ handle: FileHandle; size: number; modifiedAt: Date }> {
  if (!resolved.exists) throw new AppError("NOT_FOUND", "No such file in the workspace", { path: resolved.relative });
  let handle: FileHandle;
  try {
    handle = await open(resolved.absolute, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  } catch (error) {
    if (isErrno(error, "ENOENT")) throw new AppError("NOT_FOUND", "No such file in the workspace", { path: resolved.relative });
    if (isErrno(error, "ELOOP")) throw new AppError("FORBIDDEN", "The file was replaced by a link", { path: resolved.relative });
    throw error;
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new AppError("BAD_REQUEST", "This is a folder, not a file", { path: resolved.relative });
  }
  return { handle, size: stats.size, modifiedAt: stats.mtime };
}

export interface WorkspaceFileContent {
  path: string;
  size: number;
  modifiedAt: string;
  isBinary: boolean;
  /** The text; null for a binary file (download it instead). */
  content: string | null;
}

/** A text file's content (at most `maxTextReadBytes`); a binary file answers with `isBinary` and no content. */
export async function readWorkspaceFile(
  access: WorkspaceAccess,
  input: { projectId: string; path: string },
): Promise<WorkspaceFileContent> {
  const limits = limitsOf(access);
  const root = await ensureWorkspaceRoot(access.dataDir, input.projectId);
  const resolved = await resolveWorkspacePath(root, input.path, { intent: "read" });
  const { handle, size, modifiedAt } = await openRegularFile(resolved);
  try {
    if (size > limits.maxTextReadBytes) {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `This file is ${size} bytes; files up to ${limits.maxTextReadBytes} bytes open as text. Download it instead.`,
        { path: resolved.relative, size, limit: limits.maxTextReadBytes },
      );
    }
    const bytes = await handle.readFile();
    const isBinary = !isProbablyText(bytes);
    return {
      path: resolved.relative,
      size: bytes.byteLength,
      modifiedAt: modifiedAt.toISOString(),
      isBinary,
      content: isBinary ? null : Buffer.from(bytes).toString("utf8"),
    };
  } finally {
    await handle.close();
  }
}

/** Opens a file to stream to a client; the caller closes the handle (closing the stream does). */
export async function openWorkspaceDownload(
  access: WorkspaceAccess,
  input: { projectId: string; path: string },
): Promise<{ path: string; name: string; size: number; modifiedAt: string; handle: FileHandle }> {
  const root = await ensureWorkspaceRoot(access.dataDir, input.projectId);
  const resolved = await resolveWorkspacePath(root, input.path, { intent: "read" });
  const { handle, size, modifiedAt } = await openRegularFile(resolved);
  return { path: resolved.relative, name: path.posix.basename(resolved.relative), size, modifiedAt: modifiedAt.toISOString(), handle };
}

export interface WorkspaceSearchMatch {
  path: string;
  kind: WorkspaceEntryKind;
  match: "name" | "content";
  /** For content matches: the 1-based line and the line itself (shortened). */
  line?: number;
  preview?: string;
}

/** File and folder names containing the query, and lines of text files containing it (case-insensitive, bounded). */
export async function searchWorkspace(
  access: WorkspaceAccess,
  input: { projectId: string; query: string; path?: string; limit?: number; isContentSearched?: boolean },
): Promise<{ matches: WorkspaceSearchMatch[]; isTruncated: boolean }> {
  const limits = limitsOf(access);
  const root = await ensureWorkspaceRoot(access.dataDir, input.projectId);
  const resolved = await resolveWorkspacePath(root, input.path ?? "", { intent: "read" });
  const needle = input.query.toLowerCase();
  if (needle.length === 0) throw new AppError("BAD_REQUEST", "Give something to search for");
  const limit = Math.max(1, Math.min(input.limit ?? limits.maxSearchResults, limits.maxSearchResults));
  const matches: WorkspaceSearchMatch[] = [];
  if (!resolved.exists) return { matches, isTruncated: false };
  let bytesLeft = limits.maxSearchBytes;
  let isTruncated = false;
  const pending: { absolute: string; relative: string }[] = [{ absolute: resolved.absolute, relative: resolved.relative }];
  while (pending.length > 0 && !isTruncated) {
    const folder = pending.shift() as { absolute: string; relative: string };
    for (const name of await readFolder(folder.absolute)) {
      if (matches.length >= limit) {
        isTruncated = true;
        break;
      }
      const full = path.join(folder.absolute, name);
      const relative = joinRelative(folder.relative, name);
      const stats = await lstat(full).catch(() => null);
      if (!stats) continue;
      if (name.toLowerCase().includes(needle)) matches.push({ path: relative, kind: entryKind(stats), match: "name" });
      if (stats.isDirectory()) {
        pending.push({ absolute: full, relative });
        continue;
      }
      if (input.isContentSearched === false || !stats.isFile() || stats.size > limits.maxTextReadBytes) continue;
      if (stats.size > bytesLeft) {
        isTruncated = true;
        continue;
      }
      bytesLeft -= stats.size;
      const handle = await open(full, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW).catch(() => null);
      if (!handle) continue;
      const bytes = await handle.readFile().finally(() => handle.close());
      if (!isProbablyText(bytes)) continue;
      const lines = Buffer.from(bytes).toString("utf8").split("\n");
      for (const [index, line] of lines.entries()) {
        if (matches.length >= limit) {
          isTruncated = true;
          break;
        }
        if (line.toLowerCase().includes(needle)) {
          matches.push({ path: relative, kind: "file", match: "content", line: index + 1, preview: line.trim().slice(0, 200) });
        }
      }
    }
  }
  return { matches, isTruncated };
}

// ---------------------------------------------------------------------------------------------------
// Changing

function requireNamed(resolved: ResolvedWorkspacePath): void {
  if (resolved.relative === "") throw new AppError("BAD_REQUEST", "Name a file or folder inside the workspace", { path: "" });
}

async function existingKind(absolute: string): Promise<{ kind: WorkspaceEntryKind; size: number } | null> {
  try {
    const stats = await lstat(absolute);
    return { kind: entryKind(stats), size: stats.isFile() ? stats.size : 0 };
  } catch (error) {
    if (isErrno(error, "ENOENT")) return null;
    throw error;
  }
}

/** Creates the missing folders of a guarded path: each name below the real existing part is a plain name. */
async function ensureParentFolders(resolved: ResolvedWorkspacePath): Promise<void> {
  const parent = path.dirname(resolved.absolute);
  if (!isInsideDirectory(resolved.root, parent)) throw new AppError("FORBIDDEN", "Outside the workspace", { path: resolved.relative });
  try {
    await mkdir(parent, { recursive: true, mode: 0o700 });
  } catch (error) {
    if (isErrno(error, "ENOTDIR", "EEXIST"))
      throw new AppError("BAD_REQUEST", "A file is in the way of this path's folders", { path: resolved.relative });
    throw error;
  }
}

async function checkRoom(root: string, limits: WorkspaceLimits, change: { addedBytes: number; addedEntries: number }, relative: string) {
  const usage = await measureUsage(root);
  if (usage.bytes + change.addedBytes > limits.maxProjectBytes) {
    throw new AppError("PAYLOAD_TOO_LARGE", `The project's workspace is limited to ${limits.maxProjectBytes} bytes`, {
      path: relative,
      usedBytes: usage.bytes,
      limit: limits.maxProjectBytes,
    });
  }
  if (usage.entries + change.addedEntries > limits.maxProjectEntries) {
    throw new AppError("PAYLOAD_TOO_LARGE", `The project's workspace is limited to ${limits.maxProjectEntries} files and folders`, {
      path: relative,
      limit: limits.maxProjectEntries,
    });
  }
}

type ContentSource = Uint8Array | string | AsyncIterable<Uint8Array>;

/**
 * Writes `source` into a fresh temporary file beside the target (O_EXCL, O_NOFOLLOW), refusing it as soon
 * as it grows past `maxBytes`, then renames it over the target: readers see the old file or the new one.
 */
async function writeAtomically(target: string, source: ContentSource, maxBytes: number, relative: string): Promise<number> {
  const temporary = path.join(path.dirname(target), `${TEMPORARY_PREFIX}${randomUUID()}`);
  const handle = await open(temporary, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
  let written = 0;
  try {
    const tooLarge = () =>
      new AppError("PAYLOAD_TOO_LARGE", `This file would exceed the limit of ${maxBytes} bytes`, { path: relative, limit: maxBytes });
    if (typeof source === "string" || source instanceof Uint8Array) {
      const bytes = typeof source === "string" ? Buffer.from(source, "utf8") : source;
      if (bytes.byteLength > maxBytes) throw tooLarge();
      await handle.writeFile(bytes);
      written = bytes.byteLength;
    } else {
      for await (const chunk of source) {
        written += chunk.byteLength;
        if (written > maxBytes) throw tooLarge();
        await handle.write(chunk);
      }
    }
    await handle.datasync();
    await handle.close();
    await rename(temporary, target);
    return written;
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

export interface WriteWorkspaceFileInput {
  projectId: string;
  path: string;
  content: ContentSource;
  /** Refuse (CONFLICT) when something already exists at the path. */
  isCreateOnly?: boolean;
  /** The size the client announced (an upload's Content-Length), checked before reading anything. */
  declaredBytes?: number;
}

/** Creates or replaces a file, atomically, within the file and project limits; missing folders are created. */
export async function writeWorkspaceFile(access: WorkspaceAccess, actor: WorkspaceActor, input: WriteWorkspaceFileInput) {
  const limits = limitsOf(access);
  const root = await ensureWorkspaceRoot(access.dataDir, input.projectId);
  return serialised(root, async () => {
    const resolved = await resolveWorkspacePath(root, input.path, { intent: "write" });
    requireNamed(resolved);
    const existing = await existingKind(resolved.absolute);
    if (existing?.kind === "directory") throw new AppError("CONFLICT", "A folder already has this name", { path: resolved.relative });
    if (existing && input.isCreateOnly) throw new AppError("CONFLICT", "A file already has this name", { path: resolved.relative });
    const usage = await measureUsage(root);
    const room = limits.maxProjectBytes - (usage.bytes - (existing?.size ?? 0));
    const maxBytes = Math.max(0, Math.min(limits.maxFileBytes, room));
    const knownBytes =
      typeof input.content === "string"
        ? Buffer.byteLength(input.content, "utf8")
        : input.content instanceof Uint8Array
          ? input.content.byteLength
          : input.declaredBytes;
    if (knownBytes !== undefined && knownBytes > limits.maxFileBytes) {
      throw new AppError("PAYLOAD_TOO_LARGE", `Files are limited to ${limits.maxFileBytes} bytes`, {
        path: resolved.relative,
        limit: limits.maxFileBytes,
      });
    }
    await checkRoom(
      root,
      limits,
      { addedBytes: Math.max(0, (knownBytes ?? 0) - (existing?.size ?? 0)), addedEntries: existing ? 0 : 1 },
      resolved.relative,
    );
    await ensureParentFolders(resolved);
    let size: number;
    try {
      size = await writeAtomically(resolved.absolute, input.content, maxBytes, resolved.relative);
    } catch (error) {
      // The folders made for it stay (harmless, and possibly shared with a concurrent writer); the cache must not.
      invalidateWorkspaceCache(access.dataDir, input.projectId);
      if (error instanceof AppError && error.code === "PAYLOAD_TOO_LARGE" && maxBytes < limits.maxFileBytes) {
        throw new AppError("PAYLOAD_TOO_LARGE", `The project's workspace is limited to ${limits.maxProjectBytes} bytes`, {
          path: resolved.relative,
          limit: limits.maxProjectBytes,
        });
      }
      throw error;
    }
    const change = existing ? "written" : "created";
    await announce(access, actor, input.projectId, { action: "workspace.write", event: change }, resolved.relative, { size, change });
    const stats = await stat(resolved.absolute);
    return { path: resolved.relative, size, modifiedAt: stats.mtime.toISOString(), isCreated: !existing };
  });
}

/** Creates a folder (and its missing parents); an existing folder is fine, a file in the way is not. */
export async function createWorkspaceFolder(access: WorkspaceAccess, actor: WorkspaceActor, input: { projectId: string; path: string }) {
  const limits = limitsOf(access);
  const root = await ensureWorkspaceRoot(access.dataDir, input.projectId);
  return serialised(root, async () => {
    const resolved = await resolveWorkspacePath(root, input.path, { intent: "write" });
    requireNamed(resolved);
    const existing = await existingKind(resolved.absolute);
    if (existing?.kind === "directory") return { path: resolved.relative, isCreated: false };
    if (existing) throw new AppError("CONFLICT", "A file already has this name", { path: resolved.relative });
    await checkRoom(root, limits, { addedBytes: 0, addedEntries: 1 }, resolved.relative);
    try {
      await mkdir(resolved.absolute, { recursive: true, mode: 0o700 });
    } catch (error) {
      if (isErrno(error, "ENOTDIR", "EEXIST"))
        throw new AppError("BAD_REQUEST", "A file is in the way of this path's folders", { path: resolved.relative });
      throw error;
    }
    await announce(access, actor, input.projectId, { action: "workspace.write", event: "created" }, resolved.relative, {
      kind: "directory",
    });
    return { path: resolved.relative, isCreated: true };
  });
}

/** Renames or moves a file or folder (a link is moved as itself); replaces an existing file only with `isOverwrite`. */
export async function renameWorkspaceEntry(
  access: WorkspaceAccess,
  actor: WorkspaceActor,
  input: { projectId: string; from: string; to: string; isOverwrite?: boolean },
) {
  const root = await ensureWorkspaceRoot(access.dataDir, input.projectId);
  return serialised(root, async () => {
    const from = await resolveWorkspacePath(root, input.from, { intent: "write", followFinal: false });
    const to = await resolveWorkspacePath(root, input.to, { intent: "write", followFinal: false });
    requireNamed(from);
    requireNamed(to);
    const source = await existingKind(from.absolute);
    if (!from.exists || !source) throw new AppError("NOT_FOUND", "Nothing exists at this path", { path: from.relative });
    if (from.absolute === to.absolute) return { from: from.relative, to: to.relative };
    if (source.kind === "directory" && isInsideDirectory(from.absolute, to.absolute)) {
      throw new AppError("BAD_REQUEST", "A folder cannot move into itself", { path: to.relative });
    }
    const target = await existingKind(to.absolute);
    if (target?.kind === "directory") throw new AppError("CONFLICT", "A folder already has the new name", { path: to.relative });
    if (target && !input.isOverwrite) throw new AppError("CONFLICT", "A file already has the new name", { path: to.relative });
    await ensureParentFolders(to);
    await rename(from.absolute, to.absolute);
    await announce(access, actor, input.projectId, { action: "workspace.rename", event: "renamed" }, to.relative, {
      from: from.relative,
      to: to.relative,
    });
    return { from: from.relative, to: to.relative };
  });
}

/** Deletes a file, a link (never what it points to) or a folder; a folder with contents needs `isRecursive`. */
export async function deleteWorkspaceEntry(
  access: WorkspaceAccess,
  actor: WorkspaceActor,
  input: { projectId: string; path: string; isRecursive?: boolean },
) {
  const root = await ensureWorkspaceRoot(access.dataDir, input.projectId);
  return serialised(root, async () => {
    const resolved = await resolveWorkspacePath(root, input.path, { intent: "write", followFinal: false });
    requireNamed(resolved);
    const existing = await existingKind(resolved.absolute);
    if (!resolved.exists || !existing) throw new AppError("NOT_FOUND", "Nothing exists at this path", { path: resolved.relative });
    if (existing.kind === "directory") {
      if (input.isRecursive) await rm(resolved.absolute, { recursive: true, force: true });
      else {
        try {
          await rmdir(resolved.absolute);
        } catch (error) {
          if (isErrno(error, "ENOTEMPTY", "EEXIST")) {
            throw new AppError("CONFLICT", "This folder is not empty: delete it with its contents", { path: resolved.relative });
          }
          throw error;
        }
      }
    } else {
      await unlink(resolved.absolute);
    }
    await announce(access, actor, input.projectId, { action: "workspace.delete", event: "deleted" }, resolved.relative, {
      kind: existing.kind,
    });
    return { path: resolved.relative, kind: existing.kind };
  });
}
