/**
 * Tenant isolation, generated from the router itself: every project procedure is called by a
 * non-member of the project (by session and by another project's API token) and by a viewer where it
 * needs more, and must refuse. A procedure added later is covered without editing this file; one that
 * is not project-scoped must be listed below with the reason, or this test fails.
 */
import { type AccountsConfig, acceptInvitation, createApiToken, inviteMember, signUp, updateProviderSettings } from "@gathering/core";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller, ProjectRole } from "./context";
import { appRouter } from "./root";
import { callerFor, createTestServices, testKeyring } from "./test-services";
import type { ProcedureMeta } from "./trpc";

/** Procedures that act on no project's data, and why. */
const notProjectScoped: Record<string, string> = {
  "system.info": "installation facts (version, database, workers), no tenant data",
  "system.status": "live worker status, no tenant data",
  "auth.signUp": "creates an account; the caller has no project yet",
  "auth.me": "the caller's own account and memberships",
  "projects.list": "lists only the caller's own projects",
  "projects.create": "creates a new project owned by the caller",
  "members.acceptInvitation": "joins the project named by a secret invitation token",
};

const roleRank: Record<ProjectRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
const accounts: AccountsConfig = { passwordHashCost: 4, signUpPolicy: "open" };
const password = "correct horse battery staple";

let database: TestDatabase;
let projectA: string;
let alice: Caller;
let bob: Caller;
let bobToken: Caller;
let victor: Caller;

type AnyProcedure = { _def: { type: "query" | "mutation" | "subscription"; meta?: ProcedureMeta } };
const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);

beforeAll(async () => {
  database = await createTestDatabase();
  const aliceAccount = await signUp(database.db, accounts, { email: "alice@example.com", name: "Alice", password });
  const bobAccount = await signUp(database.db, accounts, { email: "bob@example.com", name: "Bob", password });
  const victorAccount = await signUp(database.db, accounts, { email: "victor@example.com", name: "Victor", password });
  projectA = aliceAccount.projectId;
  alice = { userId: aliceAccount.id, source: "session" };
  bob = { userId: bobAccount.id, source: "session" };
  victor = { userId: victorAccount.id, source: "session" };
  const invitation = await inviteMember(
    database.db,
    { userId: alice.userId, role: "owner" },
    { projectId: projectA, email: "victor@example.com", role: "viewer" },
  );
  await acceptInvitation(database.db, { userId: victor.userId, email: "victor@example.com" }, { token: invitation.token });
  // Data in project A that a leak would expose.
  await createApiToken(database.db, { userId: alice.userId, role: "owner" }, { projectId: projectA, name: "alice-ci", role: "member" });
  await updateProviderSettings(
    database.db,
    testKeyring,
    { userId: alice.userId },
    { projectId: projectA, apiKeys: { openai: "sk-alice-secret-0001" } },
  );
  const token = await createApiToken(
    database.db,
    { userId: bob.userId, role: "owner" },
    { projectId: bobAccount.projectId, name: "bob-ci", role: "owner" },
  );
  const verified = { projectId: bobAccount.projectId, role: "owner" as const, tokenId: token.id };
  bobToken = { userId: bob.userId, source: "token", tokenScope: verified };
});
afterAll(async () => {
  await database.drop();
});

async function call(path: string, caller: Caller, input: unknown): Promise<{ data?: unknown; code?: string }> {
  const api = callerFor(createTestServices(database.db), caller) as unknown as Record<string, unknown>;
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], api) as (
    input: unknown,
  ) => Promise<unknown>;
  try {
    return { data: await procedure(input) };
  } catch (error) {
    if (error instanceof TRPCError) return { code: error.code };
    throw error;
  }
}

describe("tenant isolation matrix", () => {
  it("knows every procedure: project-scoped, or listed with a reason", () => {
    const unclassified = procedures
      .filter(([path, procedure]) => !procedure._def.meta?.minRole && !(path in notProjectScoped))
      .map(([path]) => path);
    expect(unclassified).toEqual([]);
    expect(procedures.length).toBeGreaterThan(15);
  });

  it("never lets a viewer write, except to their own state", () => {
    const viewerMutations = procedures.filter(
      ([, procedure]) => procedure._def.type === "mutation" && procedure._def.meta?.minRole === "viewer",
    );
    const projectWrites = viewerMutations.filter(([, procedure]) => !procedure._def.meta?.isPersonal);
    expect(projectWrites.map(([path]) => path)).toEqual([]);
    // Each personal mutation is listed here on purpose, so a new one is a reviewed decision.
    expect(viewerMutations.map(([path]) => path).sort()).toEqual(["notifications.markRead"]);
  });

  for (const [path, procedure] of procedures) {
    const minRole = procedure._def.meta?.minRole;
    if (!minRole) continue;

    it(`${path}: refuses a member of another project, by session and by API token`, async () => {
      for (const caller of [bob, bobToken]) {
        const result = await call(path, caller, { projectId: projectA });
        expect(result.data).toBeUndefined();
        expect(["NOT_FOUND", "FORBIDDEN"]).toContain(result.code);
      }
    });

    if (roleRank[minRole] > roleRank.viewer) {
      it(`${path}: refuses a viewer (needs ${minRole})`, async () => {
        const result = await call(path, victor, { projectId: projectA });
        expect(result).toEqual({ code: "FORBIDDEN" });
      });
    }
  }

  it("answers the unscoped queries without any of another project's data", async () => {
    for (const path of ["auth.me", "projects.list", "system.info"]) {
      const result = await call(path, bob, undefined);
      expect(JSON.stringify(result.data)).not.toContain(projectA);
      expect(JSON.stringify(result.data)).not.toContain("alice");
    }
    // The owner does see it: the check above is not vacuous.
    expect(JSON.stringify((await call("projects.list", alice, undefined)).data)).toContain(projectA);
  });
});
