/**
 * The dashboard's pages arrive with their data: server components prefetch through tRPC and hydrate the
 * browser's cache. The raw HTML of a list or detail page (fetched with the page's cookies, before any script
 * runs) already names the objects; in the browser the hydrated list is shown without asking for it again,
 * and no page hydrates with a mismatch, also for a reader in another time zone and locale than the server.
 */
import { currentProjectId, expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

test("list and detail pages render their data on the server, and the browser uses it as is", async ({ page, baseURL }) => {
  const problems = collectPageProblems(page);
  const suffix = uniqueSuffix();
  const agentName = `Prefetched agent ${suffix}`;
  const pipelineName = `Prefetched pipeline ${suffix}`;
  const baseName = `Prefetched base ${suffix}`;
  const taskText = `Prefetched task ${suffix}`;

  await page.goto("/");
  const projectId = await currentProjectId(page);
  // Made through the API as a script would; a cookie-authenticated write must come from the dashboard's origin.
  async function call<T>(procedure: string, input: Record<string, unknown>): Promise<T> {
    const response = await page.request.post(`/api/trpc/${procedure}`, { headers: { origin: baseURL ?? "" }, data: { json: input } });
    expect(response.ok(), await response.text()).toBe(true);
    return ((await response.json()) as { result: { data: { json: T } } }).result.data.json;
  }
  const agent = await call<{ id: string }>("agents.create", {
    projectId,
    name: agentName,
    role: "Prefetch checker",
    model: { provider: "local", model: "local-echo" },
  });
  await call("pipelines.create", {
    projectId,
    name: pipelineName,
    definition: { nodes: [{ id: "wait", type: "delay", config: { ms: 0 } }], edges: [] },
  });
  const base = await call<{ id: string }>("knowledge.create", { projectId, name: baseName });
  const task = await call<{ id: string }>("tasks.submit", { projectId, agentId: agent.id, input: taskText });
  // Due within the minute: its row says "in less than a minute" or "in 1 min", a clock the server must not read.
  await call("schedules.create", {
    projectId,
    name: `Prefetched schedule ${suffix}`,
    cron: "* * * * *",
    action: { kind: "send_notification", title: "Ping", body: "Ping", inApp: {} },
  });

  /** The HTML the server sends for `path`, as a browser receives it before running any script. */
  async function firstHtml(path: string): Promise<string> {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(200);
    return response.text();
  }

  // Rendered markup, not just the hydration data that travels in the same document: a link's or a heading's text.
  await test.step("the raw HTML of list pages shows the objects in their rows", async () => {
    expect(await firstHtml("/agents")).toContain(`>${agentName}</a>`);
    expect(await firstHtml("/pipelines")).toContain(`>${pipelineName}</a>`);
    expect(await firstHtml("/knowledge")).toContain(`>${baseName}</a>`);
    expect(await firstHtml("/tasks")).toContain(`>${taskText}</a>`);
  });

  await test.step("the raw HTML of detail pages shows the object", async () => {
    expect(await firstHtml(`/agents/${agent.id}`)).toContain(`<h1>${agentName}</h1>`);
    expect(await firstHtml(`/knowledge/${base.id}`)).toContain(`<h1>${baseName}</h1>`);
    expect(await firstHtml(`/tasks/${task.id}`)).toMatch(new RegExp(`<p[^>]*>${taskText}</p>`));
  });

  await test.step("the browser shows the hydrated list without fetching it again", async () => {
    // Every agents.list the page asks for, by its input; the first page's (no search) must not be among them.
    const listInputs: string[] = [];
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith("/api/trpc/") && url.pathname.includes("agents.list"))
        listInputs.push(url.searchParams.get("input") ?? "");
    });
    await page.goto("/agents");
    await expect(page.getByRole("table", { name: "Agents" }).getByRole("link", { name: agentName, exact: true })).toBeVisible();
    // Once the search answers, the page has hydrated and run its effects: any refetch of the first page was sent by then.
    await page.getByRole("searchbox", { name: "Search agents" }).fill(agentName);
    await expect(page.getByTestId("list-status")).toHaveText(`1 agent matching “${agentName}”`);
    expect(listInputs.length).toBeGreaterThan(0);
    expect(listInputs.filter((input) => !input.includes(agentName))).toEqual([]);
  });

  await test.step("each page loads whole in the browser and hydrates without a mismatch", async () => {
    // A hydration mismatch is a console error, which `problems` collects.
    for (const [path, heading] of [
      ["/", "Overview"],
      ["/agents", "Agents"],
      ["/circles", "Circles"],
      ["/pipelines", "Pipelines"],
      ["/runs", "Runs"],
      ["/schedules", "Schedules"],
      ["/knowledge", "Knowledge"],
      ["/tools", "Tools"],
      ["/tasks", "Tasks"],
      ["/audit", "Audit"],
      ["/notifications", "Notifications"],
      [`/agents/${agent.id}`, agentName],
      [`/knowledge/${base.id}`, baseName],
      [`/tasks/${task.id}`, "Task"],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1, name: heading, exact: true }), path).toBeVisible();
    }
    await page.goto("/schedules");
    await expect(page.getByTestId("schedule-next-fire").first()).toContainText(/in (less than a minute|\d+ min)/);
  });

  expect(problems).toEqual([]);
});

test.describe("a reader in another time zone and locale than the server's", () => {
  test.use({ timezoneId: "Asia/Tokyo", locale: "de-DE" });

  test("pages hydrate without a mismatch, while the server still guesses the zone and once the browser has told it", async ({
    page,
    context,
  }) => {
    const problems = collectPageProblems(page);
    const paths = ["/", "/agents", "/circles", "/pipelines", "/runs", "/schedules", "/knowledge", "/tasks", "/audit", "/notifications"];
    async function visitAll() {
      for (const path of paths) {
        await page.goto(path);
        await expect(page.getByRole("main").getByRole("heading", { level: 1 }), path).toBeVisible();
      }
    }
    // The signed-in state was saved by a browser in the server's zone: the first page is written for that one.
    await page.goto("/");
    await expect
      .poll(async () => (await context.cookies()).find((cookie) => cookie.name === "gathering.display")?.value)
      .toBe(encodeURIComponent("de-DE|Asia/Tokyo"));
    // From then on the server writes every date and number as this browser does.
    await visitAll();
    expect(problems).toEqual([]);
  });
});
