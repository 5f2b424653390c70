/**
 * The suite's own app (playwright.config.ts `webServer`) seen from outside: its data directory, its
 * embedded database, and an owner's API token, for tests that join it with a second instance or act on
 * it as another process would.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

/** The port playwright.config.ts gives the suite app's embedded PostgreSQL. */
export const SUITE_PG_PORT = 54391;

export interface SuiteSecrets {
  postgresPassword: string;
  nextAuthSecret: string;
  encryptionKeys: string;
}

export function suiteDataDir(): string {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by playwright.config.ts for its workers; turbo never runs it.
  const directory = process.env.GATHERING_E2E_DATA_DIR;
  if (!directory) throw new Error("GATHERING_E2E_DATA_DIR is not set: run this through playwright.config.ts");
  return directory;
}

export function suiteSecrets(): SuiteSecrets {
  return JSON.parse(readFileSync(path.join(suiteDataDir(), "secrets.json"), "utf8")) as SuiteSecrets;
}

/** What a second instance or a worker elsewhere would put in DATABASE_URL. */
export function suiteDatabaseUrl(): string {
  return `postgres://postgres:${encodeURIComponent(suiteSecrets().postgresPassword)}@127.0.0.1:${SUITE_PG_PORT}/gathering`;
}

async function trpc<T>(url: string, procedure: string, init: { input?: unknown; cookie?: string; isMutation?: boolean }): Promise<T> {
  const response = await fetch(`${url}/api/trpc/${procedure}`, {
    method: init.isMutation ? "POST" : "GET",
    headers: {
      ...(init.isMutation ? { "content-type": "application/json", origin: url } : {}),
      ...(init.cookie ? { cookie: init.cookie } : {}),
    },
    body: init.isMutation ? JSON.stringify({ json: init.input }) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${procedure} answered ${response.status}: ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { result: { data: { json: T } } }).result.data.json;
}

/**
 * Signs the account in (signing it up first on a fresh installation, where the first account may) and
 * makes an API token for its own project: what a script using the SDK would hold.
 */
export async function apiTokenFor(
  url: string,
  account: { name: string; email: string; password: string },
  role: "viewer" | "member" | "admin" = "admin",
): Promise<{ token: string; projectId: string }> {
  // Refused once the account exists, or on an installation whose first account is someone else's.
  await trpc(url, "auth.signUp", { input: account, isMutation: true }).catch(() => undefined);
  const csrfResponse = await fetch(`${url}/api/auth/csrf`);
  const csrfCookie = csrfResponse.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0] ?? "")
    .join("; ");
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const signIn = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email: account.email, password: account.password, json: "true" }),
  });
  const session = signIn.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0] ?? "")
    .find((cookie) => cookie.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`could not sign in as ${account.email} (status ${signIn.status})`);
  const me = await trpc<{ projects: Array<{ id: string; role: string }> }>(url, "auth.me", { cookie: session });
  const projectId = me.projects.find((project) => project.role === "owner")?.id;
  if (!projectId) throw new Error(`${account.email} owns no project`);
  const created = await trpc<{ token: string }>(url, "tokens.create", {
    input: { projectId, name: `e2e-${Date.now()}`, role },
    cookie: session,
    isMutation: true,
  });
  return { token: created.token, projectId };
}
