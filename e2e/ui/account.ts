/**
 * The people the UI tests act as, the sign-in and sign-up steps, and a `test` whose page starts signed
 * in as the installation's owner. The owner is created by whichever test needs it first (sign up on a
 * fresh install, else sign in), so every spec also runs alone.
 */
import { randomBytes } from "node:crypto";
import { type Browser, type BrowserContext, test as base, expect, type Page, type Request } from "@playwright/test";
import { METRICS_TOKEN } from "../support/metrics";

export interface TestAccount {
  name: string;
  email: string;
  password: string;
}

export type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

export const signedOut: StorageState = { cookies: [], origins: [] };

export const owner: TestAccount = { name: "Ada Owner", email: "owner@example.com", password: "owner passphrase for e2e" };

/** A short random suffix, so tests can run again on the same installation without clashing. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString("hex");
}

export function newAccount(label: string): TestAccount {
  const suffix = uniqueSuffix();
  return {
    name: `${label} ${suffix}`,
    email: `${label.toLowerCase().replaceAll(" ", "-")}-${suffix}@example.com`,
    password: `passphrase ${suffix} for e2e`,
  };
}

/** The page's own alerts; Next.js keeps an empty role="alert" route announcer outside <main>. */
export function alertsOf(page: Page) {
  return page.getByRole("main").getByRole("alert");
}

export function overviewHeading(page: Page) {
  return page.getByRole("heading", { level: 1, name: "Overview" });
}

export async function fillSignIn(page: Page, account: Pick<TestAccount, "email" | "password">): Promise<void> {
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signIn(page: Page, account: TestAccount): Promise<void> {
  await page.goto("/sign-in");
  await fillSignIn(page, account);
  await expect(overviewHeading(page)).toBeVisible();
  await expect(page).toHaveURL("/");
}

export async function fillSignUp(page: Page, account: TestAccount): Promise<void> {
  await page.getByLabel("Name").fill(account.name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Signs up on /sign-up (or the page an invitation link led to) and waits for the overview. */
export async function signUp(page: Page, account: TestAccount): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith("/sign-up")) await page.goto("/sign-up");
  await fillSignUp(page, account);
  await expect(overviewHeading(page)).toBeVisible();
  await expect(page).toHaveURL("/");
}

/** Signs in, or signs up when the account does not exist yet (a fresh install). */
export async function signInOrSignUp(page: Page, account: TestAccount): Promise<"signed-in" | "signed-up"> {
  await page.goto("/sign-in");
  await fillSignIn(page, account);
  const refused = alertsOf(page).filter({ hasText: "Wrong email or password" });
  await expect(overviewHeading(page).or(refused)).toBeVisible();
  if (await overviewHeading(page).isVisible()) return "signed-in";
  await signUp(page, account);
  return "signed-up";
}

/** The server's figures worth reading beside a failure: event-loop lag, memory, event hub, queue, workers. */
const diagnosticMetrics =
  /^gathering_(node_nodejs_eventloop_lag_(p99|max)_seconds|node_nodejs_heap_size_used_bytes|node_process_resident_memory_bytes|event|job_queue|workers)/;

export const test = base.extend<{ diagnoseFailure: undefined }, { ownerStorageState: StorageState }>({
  storageState: ({ ownerStorageState }, use) => use(ownerStorageState),
  /**
   * When a test fails, what the browser was still waiting for (requests in flight and their age) and the
   * server's own figures (event-loop lag, open subscriptions, the queue), so that a failure seen once in CI
   * says whether the page or the server was stuck.
   */
  diagnoseFailure: [
    async ({ page, baseURL }, use, testInfo) => {
      const inFlight = new Map<Request, number>();
      page.on("request", (request) => inFlight.set(request, Date.now()));
      page.on("requestfinished", (request) => inFlight.delete(request));
      page.on("requestfailed", (request) => inFlight.delete(request));
      await use(undefined);
      if (testInfo.status === testInfo.expectedStatus) return;
      const now = Date.now();
      const requests = [...inFlight].map(([request, startedAt]) => `${request.method()} ${request.url()} (${now - startedAt} ms)`);
      let server = "";
      try {
        const response = await fetch(`${baseURL}/api/metrics`, {
          headers: { authorization: `Bearer ${METRICS_TOKEN}` },
          signal: AbortSignal.timeout(5_000),
        });
        server = (await response.text())
          .split("\n")
          .filter((line) => diagnosticMetrics.test(line))
          .join("\n");
      } catch (error) {
        server = `metrics unavailable: ${String(error)}`;
      }
      const report = `requests still in flight at the end:\n${requests.join("\n") || "(none)"}\n\nserver metrics:\n${server}`;
      await testInfo.attach("diagnosis", { body: report, contentType: "text/plain" });
      console.log(`[diagnosis] ${testInfo.title}\n${report}`);
    },
    { auto: true },
  ],
  // Once per worker: the owner's session cookie, reused by every test's page.
  ownerStorageState: [
    async ({ browser }, use, workerInfo) => {
      const context = await browser.newContext({ baseURL: workerInfo.project.use.baseURL, storageState: signedOut });
      const page = await context.newPage();
      await signInOrSignUp(page, owner);
      const state = await context.storageState();
      await context.close();
      await use(state);
    },
    { scope: "worker" },
  ],
});

export { expect };

/** A separate browser (its own cookies and storage) for a second person, e.g. someone invited. */
export async function openSignedOutPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  // Without an explicit storageState the new context would inherit the test's, i.e. the owner's session.
  const context = await browser.newContext({ storageState: signedOut });
  return { context, page: await context.newPage() };
}

/** The id of the project the dashboard shows (the project switcher's value). */
export async function currentProjectId(page: Page): Promise<string> {
  const switcher = page.getByLabel("Project", { exact: true });
  await expect(switcher).toBeEnabled();
  return switcher.inputValue();
}

export async function currentProjectName(page: Page): Promise<string> {
  const switcher = page.getByLabel("Project", { exact: true });
  await expect(switcher).toBeEnabled();
  return (await switcher.locator("option:checked").textContent()) ?? "";
}
