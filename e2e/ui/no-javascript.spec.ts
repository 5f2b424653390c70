/**
 * The forms work before (or without) JavaScript: with scripts disabled, the browser posts each form to
 * its server action, which calls the same tRPC procedure as the typed client. A refused post comes back
 * as the page the server rendered, with the procedure's field error next to its field and what was typed
 * still there, and creates nothing; an accepted one redirects to the created object, which the API then
 * really returns.
 */
import type { BrowserContext, Page } from "@playwright/test";
import {
  alertsOf,
  currentProjectId,
  expect,
  newAccount,
  overviewHeading,
  owner,
  signedOut,
  type TestAccount,
  test,
  uniqueSuffix,
} from "./account";

const SESSION_COOKIE = "next-auth.session-token";

/**
 * Signed in, on the dashboard: the shell (rendered by the dashboard layout) names the account, and the
 * overview arrives whole, its data prefetched on the server (no loading boundary waits for a script).
 */
async function expectDashboardFor(page: Page, account: Pick<TestAccount, "name">): Promise<void> {
  await expect(page).toHaveURL("/");
  await expect(page.getByRole("button", { name: `Account: ${account.name}` })).toBeVisible();
  await expect(overviewHeading(page)).toBeVisible();
  await expect(page.getByRole("region", { name: "Current project" }).getByTestId("project-name")).not.toBeEmpty();
}

/** What a tRPC query answers over HTTP (superjson's `json` part), as this browser's session. */
async function query<Output>(page: Page, path: string, input: unknown): Promise<Output> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await page.request.get(`/api/trpc/${path}${query}`);
  expect(response.ok(), `${path}: ${await response.text()}`).toBe(true);
  return ((await response.json()) as { result: { data: { json: Output } } }).result.data.json;
}

async function listedNames(page: Page, path: string, projectId: string, search: string): Promise<string[]> {
  const list = await query<{ items: { name: string }[] }>(page, path, { projectId, search, limit: 10 });
  return list.items.map((item) => item.name);
}

/** The project the server-rendered form posts to (its hidden field), for checking through the API. */
async function formProjectId(page: Page, formName: string): Promise<string> {
  return page.getByRole("form", { name: formName }).locator('input[name="projectId"]').inputValue();
}

test.describe("without JavaScript", () => {
  let context: BrowserContext;
  let page: Page;

  test.beforeEach(async ({ browser, baseURL, ownerStorageState }) => {
    expect(ownerStorageState.cookies.length, "the owner exists").toBeGreaterThan(0);
    context = await browser.newContext({ baseURL, javaScriptEnabled: false, storageState: signedOut });
    page = await context.newPage();
  });

  test.afterEach(async () => {
    await context.close();
  });

  test("sign in, then create an agent, a circle and a knowledge base, each refused once by the API's schema", async () => {
    test.slow();
    const suffix = uniqueSuffix();

    await test.step("a wrong password is refused on the page the server renders, with the email kept", async () => {
      await page.goto("/sign-in");
      await page.getByLabel("Email").fill(owner.email);
      await page.getByLabel("Password").fill("not the right passphrase");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(alertsOf(page)).toHaveText("Wrong email or password");
      await expect(page).toHaveURL("/sign-in");
      await expect(page.getByLabel("Email")).toHaveValue(owner.email);
      expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain(SESSION_COOKIE);
    });

    await test.step("the right password signs in and lands on the dashboard", async () => {
      await page.getByLabel("Password").fill(owner.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expectDashboardFor(page, owner);
      expect((await context.cookies()).map((cookie) => cookie.name)).toContain(SESSION_COOKIE);
      expect((await query<{ email: string }>(page, "auth.me", undefined)).email).toBe(owner.email);
    });

    const agentName = `No-script agent ${suffix}`;
    const partnerName = `No-script partner ${suffix}`;
    let projectId = "";

    await test.step("an agent with a temperature over 2 is refused by field, and nothing is created", async () => {
      await page.goto("/agents/new");
      const form = page.getByRole("form", { name: "New agent" });
      projectId = await formProjectId(page, "New agent");
      await form.getByLabel("Name", { exact: true }).fill(agentName);
      await form.getByLabel("Role", { exact: true }).fill("Patient assistant");
      await form.getByLabel("Temperature").fill("5");
      await form.getByRole("button", { name: "Create agent" }).click();

      await expect(page).toHaveURL("/agents/new");
      await expect(form.getByLabel("Temperature")).toHaveAttribute("aria-invalid", "true");
      await expect(form.getByText("Too big: expected number to be <=2")).toBeVisible();
      // What was typed is still there, in the page the server rendered.
      await expect(form.getByLabel("Name", { exact: true })).toHaveValue(agentName);
      await expect(form.getByLabel("Role", { exact: true })).toHaveValue("Patient assistant");
      expect(await listedNames(page, "agents.list", projectId, agentName)).toEqual([]);
    });

    await test.step("with a temperature the schema accepts, the agent is created and its page opens", async () => {
      const form = page.getByRole("form", { name: "New agent" });
      await form.getByLabel("Temperature").fill("0.5");
      await form.getByRole("button", { name: "Create agent" }).click();
      await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);
      const agentId = new URL(page.url()).pathname.split("/").at(-1);
      const agent = await query<{ name: string; role: string; parameters: { temperature?: number }; model: { provider: string } }>(
        page,
        "agents.get",
        { projectId, agentId },
      );
      expect(agent).toMatchObject({
        name: agentName,
        role: "Patient assistant",
        parameters: { temperature: 0.5 },
        model: { provider: "local" },
      });
      expect(await listedNames(page, "agents.list", projectId, agentName)).toEqual([agentName]);
    });

    await test.step("a second agent, for the circle", async () => {
      await page.goto("/agents/new");
      const form = page.getByRole("form", { name: "New agent" });
      await form.getByLabel("Name", { exact: true }).fill(partnerName);
      await form.getByLabel("Role", { exact: true }).fill("Critic");
      await form.getByRole("button", { name: "Create agent" }).click();
      await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);
    });

    const circleName = `No-script circle ${suffix}`;

    await test.step("a circle without a name is refused by field, keeping its members", async () => {
      await page.goto("/circles/new");
      const form = page.getByRole("form", { name: "New circle" });
      await form.getByLabel("Member 1", { exact: true }).selectOption({ label: agentName });
      await form.getByLabel("Role of member 1 in this circle").fill("drafts");
      await form.getByLabel("Member 2", { exact: true }).selectOption({ label: partnerName });
      await form.getByLabel("Role of member 2 in this circle").fill("criticises");
      await form.getByLabel("Max turns").fill("4");
      await form.getByRole("button", { name: "Create circle" }).click();

      await expect(page).toHaveURL("/circles/new");
      await expect(form.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
      await expect(form.getByText("Give the circle a name")).toBeVisible();
      await expect(form.getByLabel("Member 2", { exact: true }).locator("option:checked")).toHaveText(partnerName);
      await expect(form.getByLabel("Role of member 1 in this circle")).toHaveValue("drafts");
    });

    await test.step("named, the circle is created with its members in order", async () => {
      const form = page.getByRole("form", { name: "New circle" });
      await form.getByLabel("Name", { exact: true }).fill(circleName);
      await form.getByRole("button", { name: "Create circle" }).click();
      await expect(page).toHaveURL(/\/circles\/[0-9a-f-]{36}$/);
      const circleId = new URL(page.url()).pathname.split("/").at(-1);
      const circle = await query<{ name: string; termination: { maxTurns: number }; members: { name: string | null; role: string }[] }>(
        page,
        "circles.get",
        { projectId, circleId },
      );
      expect(circle.name).toBe(circleName);
      expect(circle.termination.maxTurns).toBe(4);
      expect(circle.members.map((member) => [member.name, member.role])).toEqual([
        [agentName, "drafts"],
        [partnerName, "criticises"],
      ]);
    });

    const baseName = `No-script handbook ${suffix}`;

    await test.step("a knowledge base whose overlap is over half its chunk size is refused by field, and nothing is created", async () => {
      await page.goto("/knowledge/new");
      const form = page.getByRole("form", { name: "New knowledge base" });
      await expect(form.getByLabel("Embedding model").locator("option:checked")).toContainText("Offline, built in (no API key)");
      await form.getByLabel("Name", { exact: true }).fill(baseName);
      await form.getByLabel("Chunk size (characters)").fill("400");
      await form.getByLabel("Chunk overlap (characters)").fill("300");
      await form.getByRole("button", { name: "Create knowledge base" }).click();

      await expect(page).toHaveURL("/knowledge/new");
      await expect(form.getByLabel("Chunk overlap (characters)")).toHaveAttribute("aria-invalid", "true");
      await expect(form.getByText("Overlap at most half the chunk size")).toBeVisible();
      await expect(form.getByLabel("Name", { exact: true })).toHaveValue(baseName);
      expect(await listedNames(page, "knowledge.list", projectId, baseName)).toEqual([]);
    });

    await test.step("with a smaller overlap the knowledge base is created with its chunking", async () => {
      const form = page.getByRole("form", { name: "New knowledge base" });
      await form.getByLabel("Chunk overlap (characters)").fill("40");
      await form.getByRole("button", { name: "Create knowledge base" }).click();
      await expect(page).toHaveURL(/\/knowledge\/[0-9a-f-]{36}$/);
      const knowledgeBaseId = new URL(page.url()).pathname.split("/").at(-1);
      const base = await query<{ name: string; chunkSize: number; chunkOverlap: number; embedding: { provider: string } }>(
        page,
        "knowledge.get",
        { projectId, knowledgeBaseId },
      );
      expect(base).toMatchObject({ name: baseName, chunkSize: 400, chunkOverlap: 40, embedding: { provider: "local" } });
    });

    await test.step("“New project” opens its own page; the new project becomes the one forms post to", async () => {
      const projectName = `No-script project ${suffix}`;
      await page.goto("/");
      await page.getByRole("button", { name: "New project" }).click();
      await expect(page).toHaveURL(/\/projects\/new/);
      await page.getByLabel("Project name").fill(projectName);
      await page.getByRole("button", { name: "Create project" }).click();
      await expectDashboardFor(page, owner);
      const projects = await query<{ id: string; name: string }[]>(page, "projects.list", undefined);
      const created = projects.find((project) => project.name === projectName);
      expect(created, "the new project is listed").toBeDefined();
      await page.goto("/agents/new");
      expect(await formProjectId(page, "New agent")).toBe(created?.id);
    });
  });

  test("an invited person signs up from the link, and lands in the inviting project with a session", async ({
    page: ownerPage,
    baseURL,
  }) => {
    test.slow();
    const invitee = newAccount("No-script invitee");
    await ownerPage.goto("/");
    const projectId = await currentProjectId(ownerPage);
    const response = await ownerPage.request.post("/api/trpc/members.invite", {
      headers: { origin: baseURL ?? "" },
      data: { json: { projectId, email: invitee.email, role: "member" } },
    });
    expect(response.ok(), await response.text()).toBe(true);
    const { token } = ((await response.json()) as { result: { data: { json: { token: string } } } }).result.data.json;

    await page.goto(`/invite/${token}`);
    await page.getByRole("link", { name: "Create an account and join" }).click();
    await expect(page).toHaveURL(/\/sign-up\?invitation=inv_/);
    await page.getByLabel("Name").fill(invitee.name);
    await page.getByLabel("Email").fill(invitee.email);
    await page.getByLabel("Password").fill("too short");
    await page.getByRole("button", { name: "Create account" }).click();

    // No script checked the password: the API's schema did, and the page says so by the field.
    await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText("Use at least 12 characters")).toBeVisible();
    await expect(page.getByLabel("Email")).toHaveValue(invitee.email);
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain(SESSION_COOKIE);

    await page.getByLabel("Password").fill(invitee.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await expectDashboardFor(page, invitee);
    const me = await query<{ email: string; projects: { id: string; role: string }[] }>(page, "auth.me", undefined);
    expect(me.email).toBe(invitee.email);
    expect(me.projects).toEqual([expect.objectContaining({ id: projectId, role: "member" })]);
    // The project the account landed in is the one the server renders from now on.
    expect((await context.cookies()).find((cookie) => cookie.name === "gathering.projectId")?.value).toBe(projectId);
  });
});
