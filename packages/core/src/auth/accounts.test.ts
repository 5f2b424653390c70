import { countUsers, listProjectsForUser } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { inviteMember } from "../projects/projects";
import { createPostgresRateLimiter } from "../security/rate-limiter";
import { type AccountsConfig, type BruteForcePolicy, defaultBruteForcePolicy, signIn, signUp } from "./accounts";

let database: TestDatabase;
const config: AccountsConfig = { passwordHashCost: 4, signUpPolicy: "invite" };
const password = "correct horse battery staple";

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

async function codeOf(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
}

describe("sign-up", () => {
  it("makes the first account owner of a default project, even when sign-up is invite-only", async () => {
    const user = await signUp(database.db, config, { email: "Owner@Example.com", name: "Owner", password });
    expect(user.email).toBe("owner@example.com");
    expect(await listProjectsForUser(database.db, user.id)).toEqual([expect.objectContaining({ name: "Default project", role: "owner" })]);
  });

  it("refuses later sign-ups without an invitation unless sign-up is open, and refuses a second account for an email", async () => {
    expect(await codeOf(signUp(database.db, config, { email: "eve@example.com", name: "Eve", password }))).toBe("FORBIDDEN");
    expect(
      await codeOf(signUp(database.db, { ...config, signUpPolicy: "closed" }, { email: "eve@example.com", name: "Eve", password })),
    ).toBe("FORBIDDEN");
    const open = { ...config, signUpPolicy: "open" as const };
    await signUp(database.db, open, { email: "bob@example.com", name: "Bob", password });
    expect(await codeOf(signUp(database.db, open, { email: "BOB@example.com", name: "Bob again", password }))).toBe("CONFLICT");
    expect(await countUsers(database.db)).toBe(2);
  });

  it("joins the inviting project with an invitation, once, and only for the invited email", async () => {
    const owner = await signIn(
      { db: database.db, config, limiter: createPostgresRateLimiter(database.db) },
      { email: "owner@example.com", password },
      { ip: "192.0.2.1" },
    );
    const [project] = await listProjectsForUser(database.db, owner.id);
    if (!project) throw new Error("no project");
    const invitation = await inviteMember(
      database.db,
      { userId: owner.id, role: "owner" },
      { projectId: project.id, email: "carol@example.com", role: "member" },
    );

    const wrongEmail = signUp(database.db, config, {
      email: "mallory@example.com",
      name: "M",
      password,
      invitationToken: invitation.token,
    });
    expect(await codeOf(wrongEmail)).toBe("FORBIDDEN");
    const carol = await signUp(database.db, config, {
      email: "carol@example.com",
      name: "Carol",
      password,
      invitationToken: invitation.token,
    });
    expect(carol.projectId).toBe(project.id);
    expect(await listProjectsForUser(database.db, carol.id)).toEqual([expect.objectContaining({ id: project.id, role: "member" })]);
    const replay = signUp(
      database.db,
      { ...config, signUpPolicy: "open" },
      { email: "carol2@example.com", name: "C", password, invitationToken: invitation.token },
    );
    expect(await codeOf(replay)).toBe("NOT_FOUND");
  });
});

describe("passwords", () => {
  it("uses every character: passwords that share their first 72 bytes are different passwords", async () => {
    const prefix = "x".repeat(72);
    const open = { ...config, signUpPolicy: "open" as const };
    await signUp(database.db, open, { email: "long@example.com", name: "Long", password: `${prefix}-one` });
    const deps = { db: database.db, config, limiter: createPostgresRateLimiter(database.db) };
    await expect(signIn(deps, { email: "long@example.com", password: `${prefix}-one` }, { ip: "192.0.2.9" })).resolves.toMatchObject({
      email: "long@example.com",
    });
    expect(await codeOf(signIn(deps, { email: "long@example.com", password: `${prefix}-two` }, { ip: "192.0.2.9" }))).toBe("UNAUTHORIZED");
  });

  it("rejects passwords shorter than 12 or longer than 256 characters before touching the database", async () => {
    const { ZSignUpInput } = await import("./accounts");
    expect(ZSignUpInput.safeParse({ email: "a@example.com", name: "A", password: "short" }).success).toBe(false);
    expect(ZSignUpInput.safeParse({ email: "a@example.com", name: "A", password: "p".repeat(257) }).success).toBe(false);
    expect(ZSignUpInput.safeParse({ email: "a@example.com", name: "A", password: "🔐".repeat(12) }).success).toBe(true);
  });
});

describe("brute force", () => {
  const policy: BruteForcePolicy = { ...defaultBruteForcePolicy };

  it("refuses the 6th wrong password in a minute from one address, while the real user still signs in from another", async () => {
    const limiter = createPostgresRateLimiter(database.db);
    const delays: number[] = [];
    const deps = { db: database.db, config, limiter, policy, sleep: async (ms: number) => void delays.push(ms) };
    const attacker = { ip: "198.51.100.66" };
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expect(await codeOf(signIn(deps, { email: "owner@example.com", password: `guess-${attempt}-xxxxxxxx` }, attacker))).toBe(
        "UNAUTHORIZED",
      );
    }
    const sixth = await signIn(deps, { email: "owner@example.com", password: "guess-6-xxxxxxxx" }, attacker).catch(
      (error: unknown) => error,
    );
    expect(sixth).toBeInstanceOf(AppError);
    expect((sixth as AppError).code).toBe("TOO_MANY_REQUESTS");
    expect((sixth as AppError).details?.retryAfterSeconds).toBeGreaterThan(0);
    // Even the right password is refused from the attacker's address for the rest of the window...
    expect(await codeOf(signIn(deps, { email: "owner@example.com", password }, attacker))).toBe("TOO_MANY_REQUESTS");
    // ...but not from the owner's own.
    await expect(signIn(deps, { email: "owner@example.com", password }, { ip: "192.0.2.1" })).resolves.toMatchObject({
      email: "owner@example.com",
    });
    expect(delays).toEqual([]);
  });

  it("slows every attempt on an account attacked from many addresses, without locking its owner out", async () => {
    const limiter = createPostgresRateLimiter(database.db);
    const delays: number[] = [];
    const deps = { db: database.db, config, limiter, policy, sleep: async (ms: number) => void delays.push(ms) };
    for (let address = 1; address <= 12; address += 1) {
      await signIn(deps, { email: "bob@example.com", password: "wrong-password-000" }, { ip: `203.0.113.${address}` }).catch(() => {});
    }
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.at(-1)).toBeGreaterThan(delays[0] ?? 0);
    await expect(signIn(deps, { email: "bob@example.com", password }, { ip: "192.0.2.44" })).resolves.toMatchObject({
      email: "bob@example.com",
    });
    expect(Math.max(...delays)).toBeLessThanOrEqual(policy.maxDelayMs);
  });

  it("answers an unknown email exactly like a wrong password", async () => {
    const deps = { db: database.db, config, limiter: createPostgresRateLimiter(database.db) };
    const unknown = await signIn(deps, { email: "nobody@example.com", password }, { ip: "192.0.2.77" }).catch((error: unknown) => error);
    const wrong = await signIn(deps, { email: "carol@example.com", password: "not-her-password" }, { ip: "192.0.2.77" }).catch(
      (error: unknown) => error,
    );
    expect((unknown as AppError).message).toBe((wrong as AppError).message);
    expect((unknown as AppError).code).toBe("UNAUTHORIZED");
  });
});
