/**
 * workspace.* through the API: a member edits files, a viewer only reads, a member of another project
 * (by session or by API token) reaches nothing, and hostile paths come back as typed refusals.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { type AccountsConfig, acceptInvitation, createApiToken, inviteMember, signUp } from "@gathering/core";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServices, Caller } from "../../context";
import { callerFor, createTestServices } from "../../test-services";

const accounts: AccountsConfig = { passwordHashCost: 4, signUpPolicy: "open" };
const password = "correct horse battery staple";

let database: TestDatabase;
let services: ApiServices;
let projectId: string;
let owner: Caller;
let viewer: Caller;
let stranger: Caller;
let strangerToken: Caller;

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return (error.cause as { code?: string } | undefined)?.code ?? error.code;
    throw error;
  }
  return "succeeded";
}

beforeAll(async () => {
  database = await createTestDatabase();
  services = createTestServices(database);
  const alice = await signUp(database.db, accounts, { email: "alice@example.com", name: "Alice", password });
  projectId = alice.projectId;
  owner = { userId: alice.id, source: "session" };
  const vera = await signUp(database.db, accounts, { email: "vera@example.com", name: "Vera", password });
  const invitation = await inviteMember(
    database.db,
    { userId: alice.id, role: "owner" },
    { projectId, email: "vera@example.com", role: "viewer" },
  );
  await acceptInvitation(database.db, { userId: vera.id, email: "vera@example.com" }, { token: invitation.token });
  viewer = { userId: vera.id, source: "session" };
  const mallory = await signUp(database.db, accounts, { email: "mallory@example.com", name: "Mallory", password });
  stranger = { userId: mallory.id, source: "session" };
  const token = await createApiToken(
    database.db,
    { userId: mallory.id, role: "owner" },
    { projectId: mallory.projectId, name: "ci", role: "owner" },
  );
  strangerToken = { userId: mallory.id, source: "token", tokenScope: { projectId: mallory.projectId, role: "owner", tokenId: token.id } };
});
afterAll(async () => {
  await database.drop();
});

describe("workspace router", () => {
  it("lets a member write, list, read, search, rename and delete files", async () => {
    const api = callerFor(services, owner);
    await api.workspace.mkdir({ projectId, path: "docs" });
    const written = await api.workspace.write({ projectId, path: "docs/hello.md", content: "Hello, workspace" });
    expect(written).toMatchObject({ path: "docs/hello.md", size: 16, isCreated: true });
    const tree = await api.workspace.tree({ projectId });
    expect(tree.entries).toEqual([
      expect.objectContaining({ name: "docs", kind: "directory", children: [expect.objectContaining({ name: "hello.md", size: 16 })] }),
    ]);
    expect(await api.workspace.read({ projectId, path: "docs/hello.md" })).toMatchObject({ content: "Hello, workspace" });
    expect((await api.workspace.search({ projectId, query: "workspace" })).matches).toEqual([
      expect.objectContaining({ path: "docs/hello.md", match: "content", line: 1 }),
    ]);
    await api.workspace.rename({ projectId, from: "docs/hello.md", to: "docs/greeting.md" });
    expect(await codeOf(api.workspace.write({ projectId, path: "docs/greeting.md", content: "x", createOnly: true }))).toBe("CONFLICT");
    await api.workspace.delete({ projectId, path: "docs", recursive: true });
    expect((await api.workspace.tree({ projectId })).entries).toEqual([]);
  });

  it("lets a viewer read but not change anything", async () => {
    const api = callerFor(services, owner);
    await api.workspace.write({ projectId, path: "shared.txt", content: "for everyone" });
    const asViewer = callerFor(services, viewer);
    expect(await asViewer.workspace.read({ projectId, path: "shared.txt" })).toMatchObject({ content: "for everyone" });
    expect(await codeOf(asViewer.workspace.write({ projectId, path: "shared.txt", content: "defaced" }))).toBe("FORBIDDEN");
    expect(await codeOf(asViewer.workspace.mkdir({ projectId, path: "mine" }))).toBe("FORBIDDEN");
    expect(await codeOf(asViewer.workspace.rename({ projectId, from: "shared.txt", to: "moved.txt" }))).toBe("FORBIDDEN");
    expect(await codeOf(asViewer.workspace.delete({ projectId, path: "shared.txt" }))).toBe("FORBIDDEN");
    expect(await api.workspace.read({ projectId, path: "shared.txt" })).toMatchObject({ content: "for everyone" });
  });

  it("refuses a member of another project, by session or by token, as if the project did not exist", async () => {
    for (const caller of [stranger, strangerToken]) {
      const api = callerFor(services, caller);
      expect(await codeOf(api.workspace.tree({ projectId }))).toBe("NOT_FOUND");
      expect(await codeOf(api.workspace.read({ projectId, path: "shared.txt" }))).toBe("NOT_FOUND");
      expect(await codeOf(api.workspace.write({ projectId, path: "planted.txt", content: "x" }))).toBe("NOT_FOUND");
    }
    expect(existsSync(path.join(services.dataDir ?? "", "workspaces", projectId, "planted.txt"))).toBe(false);
  });

  it("answers hostile paths with typed errors and writes nothing", async () => {
    const api = callerFor(services, owner);
    for (const hostile of ["../escape.txt", "/etc/passwd", "a%2fb", "a\u0000b", "dir\\file", `${"n".repeat(256)}`]) {
      expect(await codeOf(api.workspace.write({ projectId, path: hostile, content: "x" }))).toBe("BAD_REQUEST");
    }
    const tree = await api.workspace.tree({ projectId });
    expect(tree.entries.map((entry) => entry.name)).toEqual(["shared.txt"]);
  });

  it("answers UNAVAILABLE when the server has no data directory", async () => {
    const bare = createTestServices(database, { dataDir: undefined });
    expect(await codeOf(callerFor(bare, owner).workspace.tree({ projectId }))).toBe("UNAVAILABLE");
  });
});
