/**
 * Sign-out holds everywhere: a replayed session cookie is refused by the instance that signed out, by a
 * second instance on the same database, and after a real restart.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { type AppProcess, createDataDir, removeDataDir, startApp, stopApp, stopLeftoverPostgres, waitForReady } from "../support/app";
import { findFreePorts } from "../support/ports";

const READY_TIMEOUT_MS = 120_000;
const apps: AppProcess[] = [];
const dataDirs: string[] = [];

test.afterEach(async () => {
  const info = test.info();
  if (info.status === info.expectedStatus) return;
  for (const app of apps) await info.attach(`${app.name}.log`, { body: app.output(), contentType: "text/plain" });
});

test.afterAll(async () => {
  test.setTimeout(90_000);
  for (const app of apps) await stopApp(app);
  for (const directory of dataDirs) {
    await stopLeftoverPostgres(directory);
    await removeDataDir(directory);
  }
});

/** The session cookie from a response's Set-Cookie headers, as a Cookie header value. */
function sessionCookieFrom(response: Response): string | undefined {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0] ?? "")
    .find((cookie) => cookie.startsWith("next-auth.session-token="));
}

async function csrf(baseUrl: string): Promise<{ token: string; cookie: string }> {
  const response = await fetch(`${baseUrl}/api/auth/csrf`);
  const cookie = response.headers
    .getSetCookie()
    .map((value) => value.split(";")[0] ?? "")
    .join("; ");
  return { token: ((await response.json()) as { csrfToken: string }).csrfToken, cookie };
}

async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const { token, cookie } = await csrf(baseUrl);
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ csrfToken: token, email, password, json: "true" }),
  });
  const session = sessionCookieFrom(response);
  if (!session) throw new Error(`sign-in set no session cookie (status ${response.status})`);
  return session;
}

async function signOut(baseUrl: string, session: string): Promise<void> {
  const { token, cookie } = await csrf(baseUrl);
  const response = await fetch(`${baseUrl}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${cookie}; ${session}` },
    body: new URLSearchParams({ csrfToken: token, json: "true" }),
  });
  expect(response.status).toBeLessThan(400);
}

async function whoAmI(baseUrl: string, session: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/trpc/auth.me`, { headers: { cookie: session } });
  return response.status;
}

test("a signed-out session cookie is refused on every instance and after a restart", async () => {
  test.setTimeout(240_000);
  const [portA, portB, pgPort] = await findFreePorts(3);
  if (portA === undefined || portB === undefined || pgPort === undefined) throw new Error("no free ports");
  const directoryA = await createDataDir("gathering-e2e-revocation-a-");
  const directoryB = await createDataDir("gathering-e2e-revocation-b-");
  dataDirs.push(directoryA, directoryB);

  const first = startApp("instance-a", { dataDir: directoryA, port: portA, pgPort });
  apps.push(first);
  await waitForReady(first, READY_TIMEOUT_MS);
  const secrets = JSON.parse(readFileSync(path.join(directoryA, "secrets.json"), "utf8")) as Record<string, string>;
  // A second web instance on the first one's database, sharing its session secret, as production would.
  const second = startApp("instance-b", {
    dataDir: directoryB,
    port: portB,
    pgPort,
    args: ["--no-worker"],
    env: {
      DATABASE_URL: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword ?? "")}@127.0.0.1:${pgPort}/gathering`,
      NEXTAUTH_SECRET: secrets.nextAuthSecret ?? "",
      GATHERING_ENCRYPTION_KEYS: secrets.encryptionKeys ?? "",
    },
  });
  apps.push(second);
  await waitForReady(second, READY_TIMEOUT_MS);

  const email = "revocation@example.com";
  const password = "correct horse battery staple";
  const signUp = await fetch(`${first.baseUrl}/api/trpc/auth.signUp`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: { email, name: "Rev", password } }),
  });
  expect(signUp.status).toBe(200);

  const session = await signIn(first.baseUrl, email, password);
  const otherSession = await signIn(second.baseUrl, email, password);
  expect(await whoAmI(first.baseUrl, session)).toBe(200);
  expect(await whoAmI(second.baseUrl, session)).toBe(200);

  await signOut(first.baseUrl, session);
  expect(await whoAmI(first.baseUrl, session)).toBe(401);
  await expect.poll(() => whoAmI(second.baseUrl, session), { timeout: 5_000 }).toBe(401);
  // Signing out one session leaves the user's other sessions alone.
  expect(await whoAmI(second.baseUrl, otherSession)).toBe(200);

  await stopApp(second);
  await stopApp(first);
  const restarted = startApp("instance-a-restarted", { dataDir: directoryA, port: portA, pgPort });
  apps.push(restarted);
  await waitForReady(restarted, READY_TIMEOUT_MS);
  expect(await whoAmI(restarted.baseUrl, session)).toBe(401);
  expect(await whoAmI(restarted.baseUrl, otherSession)).toBe(200);
});
