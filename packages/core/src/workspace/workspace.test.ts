/**
 * Workspace operations against a real database (audit rows, events) and a temporary data directory:
 * writes, reads, the tree and its cache, renames, deletes, search, and every limit refusing with no effect.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { schema } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp } from "../auth/accounts";
import { AppError } from "../errors";
import {
  createWorkspaceFolder,
  deleteWorkspaceEntry,
  ensureWorkspaceRoot,
  listWorkspaceTree,
  openWorkspaceDownload,
  readWorkspaceFile,
  renameWorkspaceEntry,
  searchWorkspace,
  type WorkspaceAccess,
  type WorkspaceActor,
  writeWorkspaceFile,
} from "./workspace";

let database: TestDatabase;
let dataDir: string;
let access: WorkspaceAccess;
let projectId: string;
let actor: WorkspaceActor;
let root: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), "gathering-workspace-"));
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "ws@example.com", name: "Ws", password: "correct horse battery staple" },
  );
  projectId = account.projectId;
  actor = { userId: account.id, ip: "192.0.2.9" };
  access = { db: database.db, dataDir, limits: { maxFileBytes: 64 * 1024, maxProjectBytes: 256 * 1024, maxTextReadBytes: 32 * 1024 } };
  root = await ensureWorkspaceRoot(dataDir, projectId);
});
afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return "accepted";
}

async function auditActions() {
  const rows = await database.db.select().from(schema.auditLog).where(eq(schema.auditLog.projectId, projectId));
  return rows.map((row) => row.action).filter((action) => action.startsWith("workspace."));
}

describe("workspace", () => {
  it("creates the project's folder on demand, private to the server's user", async () => {
    expect(root).toBe(path.join(dataDir, "workspaces", projectId));
    expect(statSync(root).mode & 0o777).toBe(0o700);
  });

  it("writes a file (creating folders), reads it back, audits the write and announces it", async () => {
    const written = await writeWorkspaceFile(access, actor, { projectId, path: "notes/plan.md", content: "# Plan\nship it\n" });
    expect(written).toMatchObject({ path: "notes/plan.md", size: 15, isCreated: true });
    const file = await readWorkspaceFile(access, { projectId, path: "notes/plan.md" });
    expect(file).toMatchObject({ path: "notes/plan.md", content: "# Plan\nship it\n", isBinary: false, size: 15 });
    const replaced = await writeWorkspaceFile(access, actor, { projectId, path: "notes/plan.md", content: "# Plan v2\n" });
    expect(replaced.isCreated).toBe(false);
    expect(await auditActions()).toEqual(["workspace.write", "workspace.write"]);
    const events = await database.db.select().from(schema.events).where(eq(schema.events.topic, "workspace.changed"));
    expect(events.map((event) => event.payload)).toEqual([
      { path: "notes/plan.md", change: "created" },
      { path: "notes/plan.md", change: "written" },
    ]);
  });

  it("writes atomically: no temporary file is left behind, and a refused write leaves the old content", async () => {
    await writeWorkspaceFile(access, actor, { projectId, path: "atomic.txt", content: "old" });
    const tooLarge = new Uint8Array(64 * 1024 + 1);
    expect(await codeOf(writeWorkspaceFile(access, actor, { projectId, path: "atomic.txt", content: tooLarge }))).toBe("PAYLOAD_TOO_LARGE");
    // A stream that grows too large is cut off part way and discarded.
    async function* chunks() {
      for (let index = 0; index < 10; index += 1) yield new Uint8Array(10 * 1024).fill(65);
    }
    expect(await codeOf(writeWorkspaceFile(access, actor, { projectId, path: "atomic.txt", content: chunks() }))).toBe("PAYLOAD_TOO_LARGE");
    expect(readFileSync(path.join(root, "atomic.txt"), "utf8")).toBe("old");
    expect(readdirSync(root).filter((name) => name.startsWith(".gathering-write-"))).toEqual([]);
  });

  it("streams a write in chunks within the limit", async () => {
    async function* chunks() {
      for (let index = 0; index < 4; index += 1) yield new TextEncoder().encode(`part ${index}\n`);
    }
    const written = await writeWorkspaceFile(access, actor, { projectId, path: "streamed.txt", content: chunks() });
    expect(written.size).toBe(28);
    const download = await openWorkspaceDownload(access, { projectId, path: "streamed.txt" });
    const text = (await download.handle.readFile()).toString("utf8");
    await download.handle.close();
    expect(text).toBe("part 0\npart 1\npart 2\npart 3\n");
  });

  it("enforces the project quota and changes nothing when refused", async () => {
    const chunk = "q".repeat(60 * 1024);
    await writeWorkspaceFile(access, actor, { projectId, path: "quota/1.txt", content: chunk });
    await writeWorkspaceFile(access, actor, { projectId, path: "quota/2.txt", content: chunk });
    await writeWorkspaceFile(access, actor, { projectId, path: "quota/3.txt", content: chunk });
    await writeWorkspaceFile(access, actor, { projectId, path: "quota/4.txt", content: chunk });
    const before = await listWorkspaceTree(access, { projectId, path: "quota" });
    expect(await codeOf(writeWorkspaceFile(access, actor, { projectId, path: "quota/5.txt", content: chunk }))).toBe("PAYLOAD_TOO_LARGE");
    expect(existsSync(path.join(root, "quota", "5.txt"))).toBe(false);
    // Replacing a file counts only the difference.
    await writeWorkspaceFile(access, actor, { projectId, path: "quota/3.txt", content: `${chunk}!` });
    const after = await listWorkspaceTree(access, { projectId, path: "quota" });
    expect(after.entries.map((entry) => entry.name)).toEqual(before.entries.map((entry) => entry.name));
    await deleteWorkspaceEntry(access, actor, { projectId, path: "quota", isRecursive: true });
  });

  it("lists a depth-limited tree with sizes, folders first, and drops its cache on every change", async () => {
    await createWorkspaceFolder(access, actor, { projectId, path: "deep/a/b/c" });
    const tree = await listWorkspaceTree(access, { projectId, depth: 2 });
    const names = tree.entries.map((entry) => `${entry.kind}:${entry.name}`);
    expect(names.indexOf("directory:notes")).toBeLessThan(names.indexOf("file:atomic.txt"));
    const deep = tree.entries.find((entry) => entry.name === "deep");
    expect(deep?.children?.map((entry) => entry.path)).toEqual(["deep/a"]);
    expect(deep?.children?.[0]?.children).toBeUndefined();
    expect(tree.isTruncated).toBe(true);
    expect(tree.entries.find((entry) => entry.name === "atomic.txt")).toMatchObject({ size: 3, kind: "file" });
    expect(tree.usage.limitBytes).toBe(256 * 1024);

    // The same question answers from the cache: a file put there behind its back is not seen ...
    writeFileSync(path.join(root, "behind-the-back.txt"), "x");
    expect((await listWorkspaceTree(access, { projectId, depth: 2 })).entries.some((entry) => entry.name === "behind-the-back.txt")).toBe(
      false,
    );
    // ... until a change through the workspace drops it.
    await writeWorkspaceFile(access, actor, { projectId, path: "new.txt", content: "n" });
    const fresh = await listWorkspaceTree(access, { projectId, depth: 2 });
    expect(fresh.entries.map((entry) => entry.name)).toEqual(expect.arrayContaining(["behind-the-back.txt", "new.txt"]));
    await deleteWorkspaceEntry(access, actor, { projectId, path: "new.txt" });
    expect((await listWorkspaceTree(access, { projectId, depth: 2 })).entries.some((entry) => entry.name === "new.txt")).toBe(false);
  });

  it("refuses text reads of big files and answers binary files without content", async () => {
    await writeWorkspaceFile(access, actor, { projectId, path: "big.txt", content: "b".repeat(33 * 1024) });
    expect(await codeOf(readWorkspaceFile(access, { projectId, path: "big.txt" }))).toBe("PAYLOAD_TOO_LARGE");
    await writeWorkspaceFile(access, actor, { projectId, path: "image.bin", content: new Uint8Array([0x89, 0x50, 0x00, 0xff]) });
    expect(await readWorkspaceFile(access, { projectId, path: "image.bin" })).toMatchObject({ isBinary: true, content: null, size: 4 });
    expect(await codeOf(readWorkspaceFile(access, { projectId, path: "missing.txt" }))).toBe("NOT_FOUND");
    expect(await codeOf(readWorkspaceFile(access, { projectId, path: "notes" }))).toBe("BAD_REQUEST");
  });

  it("renames and moves files and folders, refusing to clobber without consent or to move a folder into itself", async () => {
    await writeWorkspaceFile(access, actor, { projectId, path: "draft.txt", content: "draft" });
    await renameWorkspaceEntry(access, actor, { projectId, from: "draft.txt", to: "archive/final.txt" });
    expect(readFileSync(path.join(root, "archive", "final.txt"), "utf8")).toBe("draft");
    expect(existsSync(path.join(root, "draft.txt"))).toBe(false);
    await writeWorkspaceFile(access, actor, { projectId, path: "other.txt", content: "other" });
    expect(await codeOf(renameWorkspaceEntry(access, actor, { projectId, from: "other.txt", to: "archive/final.txt" }))).toBe("CONFLICT");
    await renameWorkspaceEntry(access, actor, { projectId, from: "other.txt", to: "archive/final.txt", isOverwrite: true });
    expect(readFileSync(path.join(root, "archive", "final.txt"), "utf8")).toBe("other");
    expect(await codeOf(renameWorkspaceEntry(access, actor, { projectId, from: "archive", to: "archive/inner" }))).toBe("BAD_REQUEST");
    expect(await codeOf(renameWorkspaceEntry(access, actor, { projectId, from: "archive", to: "../escaped" }))).toBe("BAD_REQUEST");
    expect(await codeOf(renameWorkspaceEntry(access, actor, { projectId, from: "nothing", to: "something" }))).toBe("NOT_FOUND");
    expect(await auditActions()).toContain("workspace.rename");
  });

  it("deletes files, empty folders, and full folders only when asked; a link goes, never its target", async () => {
    await createWorkspaceFolder(access, actor, { projectId, path: "empty" });
    await deleteWorkspaceEntry(access, actor, { projectId, path: "empty" });
    expect(await codeOf(deleteWorkspaceEntry(access, actor, { projectId, path: "archive" }))).toBe("CONFLICT");
    expect(existsSync(path.join(root, "archive", "final.txt"))).toBe(true);
    await deleteWorkspaceEntry(access, actor, { projectId, path: "archive", isRecursive: true });
    expect(existsSync(path.join(root, "archive"))).toBe(false);
    expect(await codeOf(deleteWorkspaceEntry(access, actor, { projectId, path: "" }))).toBe("BAD_REQUEST");

    const outside = mkdtempSync(path.join(tmpdir(), "gathering-outside-"));
    writeFileSync(path.join(outside, "keep.txt"), "keep");
    symlinkSync(outside, path.join(root, "escape"));
    expect(await codeOf(readWorkspaceFile(access, { projectId, path: "escape/keep.txt" }))).toBe("FORBIDDEN");
    expect(await codeOf(writeWorkspaceFile(access, actor, { projectId, path: "escape/new.txt", content: "x" }))).toBe("FORBIDDEN");
    await deleteWorkspaceEntry(access, actor, { projectId, path: "escape", isRecursive: true });
    expect(readFileSync(path.join(outside, "keep.txt"), "utf8")).toBe("keep");
    expect(existsSync(path.join(outside, "new.txt"))).toBe(false);
    rmSync(outside, { recursive: true, force: true });
  });

  it("refuses writes through a dangling link pointing outside, with no file created there", async () => {
    const outside = mkdtempSync(path.join(tmpdir(), "gathering-outside-"));
    symlinkSync(path.join(outside, "planted.txt"), path.join(root, "planted.txt"));
    expect(await codeOf(writeWorkspaceFile(access, actor, { projectId, path: "planted.txt", content: "pwned" }))).toBe("FORBIDDEN");
    expect(existsSync(path.join(outside, "planted.txt"))).toBe(false);
    await deleteWorkspaceEntry(access, actor, { projectId, path: "planted.txt" });
    rmSync(outside, { recursive: true, force: true });
  });

  it("searches names and text, case-insensitively and bounded", async () => {
    await writeWorkspaceFile(access, actor, { projectId, path: "search/alpha.md", content: "one\nThe Needle is here\nthree" });
    await writeWorkspaceFile(access, actor, { projectId, path: "search/needle-name.txt", content: "nothing" });
    const result = await searchWorkspace(access, { projectId, query: "needle", path: "search" });
    expect(result.matches).toEqual(
      expect.arrayContaining([
        { path: "search/alpha.md", kind: "file", match: "content", line: 2, preview: "The Needle is here" },
        { path: "search/needle-name.txt", kind: "file", match: "name" },
      ]),
    );
    const limited = await searchWorkspace(access, { projectId, query: "e", limit: 1 });
    expect(limited.matches).toHaveLength(1);
    expect(limited.isTruncated).toBe(true);
  });

  it("keeps projects apart: one project's path never reaches another's folder", async () => {
    const otherRoot = await ensureWorkspaceRoot(dataDir, "00000000-0000-4000-8000-000000000000");
    mkdirSync(path.join(otherRoot, "private"), { recursive: true });
    expect(await codeOf(readWorkspaceFile(access, { projectId, path: "../00000000-0000-4000-8000-000000000000/private" }))).toBe(
      "BAD_REQUEST",
    );
    expect(await codeOf(listWorkspaceTree(access, { projectId: "../etc" }))).toBe("BAD_REQUEST");
  });
});
