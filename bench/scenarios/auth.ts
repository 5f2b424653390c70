/**
 * What authentication costs. Over HTTP: the same cached tRPC query answered anonymously (the baseline),
 * with an API token and with a session cookie, so the difference is the per-request check, revocation
 * included. In process: resolving a caller once warm (p50/p99 µs), and sign-in throughput beside a bare
 * bcrypt compare at the same cost, so sign-in's overhead over bcrypt shows as a ratio.
 */
import { performance } from "node:perf_hooks";
import { RevocationCache, resolveCaller } from "@gathering/auth";
import { createPostgresRateLimiter, hashPassword, signIn, verifyPassword } from "@gathering/core";
import { createDatabaseClient } from "@gathering/db";
import { measureLoad, warmUp } from "../support/load";
import { summarizeLatencies } from "../support/percentiles";
import { formatMs } from "../support/report";
import type { CaseResult, Scenario } from "../support/types";

const path = "/api/trpc/system.info";
const bcryptCost = 12;
const rateLimitEnv = {
  GATHERING_RATE_LIMIT_PER_MINUTE: "1000000000",
  GATHERING_RATE_LIMIT_AUTHENTICATED_PER_MINUTE: "1000000000",
  GATHERING_SIGNUP_POLICY: "open",
  GATHERING_BCRYPT_COST: String(bcryptCost),
};

async function json(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Signs up, signs in through next-auth, and makes an API token: what a real user and a script would hold. */
async function credentialsFor(url: string) {
  const email = "bench@example.com";
  const password = "correct horse battery staple";
  await json(
    await fetch(`${url}/api/trpc/auth.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { email, name: "Bench", password } }),
    }),
  );
  const csrfResponse = await fetch(`${url}/api/auth/csrf`);
  const csrfCookie = csrfResponse.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const signInResponse = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = signInResponse.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0] ?? "")
    .find((cookie) => cookie.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in set no session cookie (${signInResponse.status})`);
  const me = (await json(await fetch(`${url}/api/trpc/auth.me`, { headers: { cookie: session } }))) as {
    result: { data: { json: { projects: Array<{ id: string }> } } };
  };
  const projectId = me.result.data.json.projects[0]?.id;
  const created = (await json(
    await fetch(`${url}/api/trpc/tokens.create`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: session, origin: url },
      body: JSON.stringify({ json: { projectId, name: "bench" } }),
    }),
  )) as { result: { data: { json: { token: string } } } };
  return { email, password, session, token: created.result.data.json.token };
}

async function timeEach(iterations: number, work: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < iterations; index += 1) {
    const startedAt = performance.now();
    await work();
    samples.push(performance.now() - startedAt);
  }
  return samples;
}

async function perSecond(seconds: number, work: () => Promise<unknown>): Promise<number> {
  const deadline = performance.now() + seconds * 1_000;
  let count = 0;
  while (performance.now() < deadline) {
    await work();
    count += 1;
  }
  return count / seconds;
}

const auth: Scenario = {
  id: "auth",
  title: "Authentication: per-request session and token checks, sign-in beside bcrypt",
  run: async (context) => {
    const app = await context.startApp({ env: rateLimitEnv });
    const credentials = await credentialsFor(app.url);
    const appCpu = { serverPid: app.pid, databaseTreeRootPid: app.pid };
    context.log("settling the app: 10 s of unmeasured load…");
    await warmUp({ ...context.settings, url: `${app.url}${path}` }, 10);

    const measure = (headers?: Record<string, string>) =>
      measureLoad({ url: `${app.url}${path}`, ...context.settings, headers, cpu: appCpu });
    context.log("measuring anonymous requests…");
    const anonymous: CaseResult = {
      id: "anonymous",
      label: "system.info, anonymous",
      role: "baseline",
      description: "the cached system.info query with no credentials: everything but the authentication check",
      load: await measure(),
    };
    context.log("measuring requests with an API token…");
    const withToken: CaseResult = {
      id: "api-token",
      label: "system.info with an API token",
      role: "subject",
      description: "the same query with `Authorization: Bearer gat_…`: token lookup (cached, revocation-aware) on every request",
      load: await measure({ authorization: `Bearer ${credentials.token}` }),
    };
    context.log("measuring requests with a session cookie…");
    const withSession: CaseResult = {
      id: "session",
      label: "system.info with a session cookie",
      role: "subject",
      description: "the same query with the next-auth session cookie: JWT decryption and the revocation check on every request",
      load: await measure({ cookie: credentials.session }),
    };

    // In process, against the app's own database: the check itself, without HTTP around it.
    const client = createDatabaseClient(app.databaseUrl(), { max: 4 });
    context.defer(() => client.close());
    const secrets = JSON.parse(await import("node:fs").then((fs) => fs.readFileSync(`${app.dataDir}/secrets.json`, "utf8"))) as {
      nextAuthSecret: string;
    };
    const revocations = new RevocationCache(client.db);
    await revocations.listen(client.sql);
    context.defer(() => revocations.close());
    const services = { revocations, secret: secrets.nextAuthSecret, isSecure: false };
    const tokenHeaders = new Headers({ authorization: `Bearer ${credentials.token}` });
    const sessionHeaders = new Headers({ cookie: credentials.session });
    await timeEach(2_000, () => resolveCaller(tokenHeaders, services));
    await timeEach(2_000, () => resolveCaller(sessionHeaders, services));
    const tokenCheck = summarizeLatencies(await timeEach(20_000, () => resolveCaller(tokenHeaders, services)));
    const sessionCheck = summarizeLatencies(await timeEach(20_000, () => resolveCaller(sessionHeaders, services)));

    context.log("measuring sign-in beside bcrypt…");
    const limiter = createPostgresRateLimiter(client.db);
    let address = 0;
    const signInsPerSecond = await perSecond(5, () => {
      address += 1;
      return signIn(
        { db: client.db, config: { passwordHashCost: bcryptCost, signUpPolicy: "open" }, limiter },
        { email: credentials.email, password: credentials.password },
        // A new address each time: the per-address limit is not what is measured here.
        { ip: `bench-${address}` },
      );
    });
    const bcryptHash = await hashPassword(credentials.password, bcryptCost);
    const bcryptPerSecond = await perSecond(5, () => verifyPassword(credentials.password, bcryptHash));

    const cpuDelta = (subject: CaseResult) => {
      const ours = subject.load.cpuMsPerRequest.server;
      const base = anonymous.load.cpuMsPerRequest.server;
      return ours === null || base === null ? "n/a" : formatMs(Math.max(0, ours - base));
    };
    const micros = (ms: number) => `${(ms * 1_000).toFixed(1)} µs`;
    const notes = [
      `Checking an API token, warm, in process: p50 ${micros(tokenCheck.p50)}, p99 ${micros(tokenCheck.p99)} (target: p50 under 0.2 ms; ${tokenCheck.p50 < 0.2 ? "met" : "missed"}).`,
      `Checking a session cookie, warm, in process: p50 ${micros(sessionCheck.p50)}, p99 ${micros(sessionCheck.p99)} (target: p50 under 0.2 ms; ${sessionCheck.p50 < 0.2 ? "met" : "missed"}).`,
      `Over HTTP, extra Node CPU per request over the anonymous baseline: ${cpuDelta(withToken)} with an API token, ${cpuDelta(withSession)} with a session cookie.`,
      `Sign-in: ${signInsPerSecond.toFixed(1)}/s (bcrypt cost ${bcryptCost}, the rate-limit counters and the audit row included) beside ${bcryptPerSecond.toFixed(1)} bare bcrypt compares/s at the same cost: ratio ${(signInsPerSecond / bcryptPerSecond).toFixed(2)}, so sign-in is bounded by bcrypt.`,
    ];
    return { cases: [withToken, withSession, anonymous], notes };
  },
};

export default auth;
