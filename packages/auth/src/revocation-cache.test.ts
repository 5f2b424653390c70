import { randomUUID } from "node:crypto";
import { createApiToken, hashToken, revokeProjectApiToken, signUp } from "@gathering/core";
import { createDatabaseClient, type DatabaseClient } from "@gathering/db";
import { createTestDatabase, type TestDatabase } from "@gathering/testing";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionCookieName } from "./next-auth-options";
import { resolveCaller } from "./resolve-caller";
import { RevocationCache } from "./revocation-cache";

const secret = "a-test-secret-that-is-long-enough-0123456789";
let database: TestDatabase;
let second: DatabaseClient;
let userId: string;
let projectId: string;
/** Two web instances: separate pools, separate caches, one database. */
let instanceA: RevocationCache;
let instanceB: RevocationCache;

beforeAll(async () => {
  database = await createTestDatabase();
  second = createDatabaseClient(database.url, { max: 3 });
  const account = await signUp(
    database.db,
    { passwordHashCost: 4, signUpPolicy: "open" },
    { email: "ada@example.com", name: "Ada", password: "correct horse battery" },
  );
  userId = account.id;
  projectId = account.projectId;
  instanceA = new RevocationCache(database.db);
  instanceB = new RevocationCache(second.db);
  await instanceA.listen(database.sql);
  await instanceB.listen(second.sql);
});
afterAll(async () => {
  await instanceA.close();
  await instanceB.close();
  await second.close();
  await database.drop();
});

async function sessionHeaders(sessionId: string) {
  const cookie = await encode({ token: { sub: userId, sid: sessionId }, secret });
  return new Headers({ cookie: `${sessionCookieName(false)}=${cookie}` });
}

describe("session revocation", () => {
  it("rejects a signed-out session on every instance at once, and after a restart", async () => {
    const sessionId = randomUUID();
    const headers = await sessionHeaders(sessionId);
    const services = (revocations: RevocationCache) => ({ revocations, secret, isSecure: false });
    // Both instances have seen the session as valid and cached that.
    expect(await resolveCaller(headers, services(instanceA))).toMatchObject({ userId, source: "session", sessionId });
    expect(await resolveCaller(headers, services(instanceB))).toMatchObject({ userId });

    await instanceA.revokeSession({ sessionId, userId, expiresAt: new Date(Date.now() + 3_600_000) });
    expect(await resolveCaller(headers, services(instanceA))).toBeNull();
    await expect.poll(() => resolveCaller(headers, services(instanceB)), { timeout: 5_000 }).toBeNull();

    const restartedClient = createDatabaseClient(database.url, { max: 1 });
    try {
      const restarted = new RevocationCache(restartedClient.db);
      expect(await resolveCaller(headers, services(restarted))).toBeNull();
      // Another session of the same user is unaffected.
      expect(await resolveCaller(await sessionHeaders(randomUUID()), services(restarted))).toMatchObject({ userId });
    } finally {
      await restartedClient.close();
    }
  });

  it("ignores a cookie signed with another secret or without a session id", async () => {
    const forged = await encode({ token: { sub: userId, sid: randomUUID() }, secret: "another-secret-that-is-long-enough-0123456789" });
    const noSession = await encode({ token: { sub: userId }, secret });
    for (const cookie of [forged, noSession, "garbage"]) {
      const headers = new Headers({ cookie: `${sessionCookieName(false)}=${cookie}` });
      expect(await resolveCaller(headers, { revocations: instanceA, secret, isSecure: false })).toBeNull();
    }
  });
});

describe("API tokens", () => {
  it("accepts a live token, and refuses it on every instance once revoked", async () => {
    const created = await createApiToken(database.db, { userId, role: "owner" }, { projectId, name: "ci", role: "member" });
    const headers = new Headers({ authorization: `Bearer ${created.token}` });
    const services = (revocations: RevocationCache) => ({ revocations, secret, isSecure: false });
    expect(await resolveCaller(headers, services(instanceA))).toMatchObject({
      userId,
      source: "token",
      tokenScope: { projectId, role: "member" },
    });
    expect(await resolveCaller(headers, services(instanceB))).toMatchObject({ userId });

    const { tokenHash } = await revokeProjectApiToken(database.db, { userId }, { projectId, tokenId: created.id });
    expect(tokenHash).toBe(hashToken(created.token));
    await instanceA.announceTokenRevoked(tokenHash);
    await expect(resolveCaller(headers, services(instanceA))).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect
      .poll(() => resolveCaller(headers, services(instanceB)).catch((error: { code?: string }) => error.code), { timeout: 5_000 })
      .toBe("UNAUTHORIZED");
  });

  it("refuses malformed and unknown tokens with UNAUTHORIZED, not as an anonymous call", async () => {
    for (const authorization of ["Bearer gat_unknown", "Basic abc", "Bearer", `Bearer ${"x".repeat(500)}`]) {
      await expect(
        resolveCaller(new Headers({ authorization }), { revocations: instanceA, secret, isSecure: false }),
      ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
  });
});
