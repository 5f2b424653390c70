/**
 * Knowledge bases end to end, against the suite's real worker and the built-in offline embedder: the
 * owner's create form shows the API's field error, then creates a knowledge base; a Markdown file and
 * a CSV are uploaded together and both become ready live (no reload), an empty file is refused with
 * a typed error; the retrieval test puts the right chunk first with its score parts and citation, the
 * citation opens the chunk highlighted in its document, and a deleted document leaves the results. An
 * agent with the base attached answers with a citation that links to the chunk. axe-core finds no
 * serious or critical violation on the documents, the results or the cited chunk.
 */
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { screenshotsDir } from "../support/paths";
import { currentProjectId, expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

/**
 * Serious and critical WCAG 2.x A/AA violations in the page's main content (the shell around it is the
 * accessibility spec's), one line each, so a failure says what to fix.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include("main").withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

function documentRow(page: Page, name: string) {
  return page
    .getByRole("table", { name: "Documents" })
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader", { name }) });
}

test("a knowledge base is created, fed a Markdown file and a CSV live, searched with score parts and citations, and a deleted document leaves the results", async ({
  page,
  baseURL,
}) => {
  test.slow();
  const suffix = uniqueSuffix();
  // The empty file and the nameless form are refused, as they should be.
  const problems = collectPageProblems(page, {
    expectedFailures: [
      { path: "/api/trpc/knowledge.create", status: 400 },
      { path: "/api/trpc/knowledge.addDocument", status: 400 },
    ],
  });
  const baseName = `Handbook ${suffix}`;
  const markdownName = `operations-${suffix}.md`;
  const csvName = `inventory-${suffix}.csv`;
  const emptyName = `empty-${suffix}.txt`;
  // Words that only one chunk holds, so the right first hit is not a matter of luck.
  const markdown = [
    `# Operations ${suffix}`,
    "",
    "## Backups",
    "",
    "Nightly snapshots of the database are copied to the cold storage vault and kept for ninety days.",
    "",
    "## Rotating tokens",
    "",
    "To rotate an API token, revoke the old token in the tokens page and issue a replacement with the same scope.",
    "",
    "## Incident response",
    "",
    "Page the on-call engineer, open an incident channel and write the timeline while it is fresh.",
    "",
  ].join("\n");
  const csv = ["sku,item,warehouse,quantity", "A-100,titanium sprocket,Rotterdam,42", "B-200,carbon flywheel,Osaka,7", ""].join("\n");
  const form = page.getByRole("form", { name: "New knowledge base" });
  let knowledgeBaseId = "";

  await test.step("an empty name is refused by the API's schema, next to the field", async () => {
    await page.goto("/knowledge");
    await expect(page.getByRole("heading", { level: 1, name: "Knowledge" })).toBeVisible();
    // The built-in offline embedder is the default, and says what it is.
    await expect(form.getByLabel("Embedding model").locator("option:checked")).toContainText("Offline, built in (no API key)");
    await expect(form.getByTestId("embedding-model-note")).toContainText("no API key");
    await form.getByRole("button", { name: "Create knowledge base" }).click();
    const name = form.getByLabel("Name", { exact: true });
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(form.getByText("Give it a name")).toBeVisible();
  });

  await test.step("with a name it is created and opens on its documents", async () => {
    await form.getByLabel("Name", { exact: true }).fill(baseName);
    await form.getByLabel("Chunk size (characters)").fill("400");
    await form.getByLabel("Chunk overlap (characters)").fill("40");
    await form.getByRole("button", { name: "Create knowledge base" }).click();
    await expect(page).toHaveURL(/\/knowledge\/[0-9a-f-]{36}$/);
    knowledgeBaseId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    await expect(page.getByRole("heading", { level: 1, name: baseName })).toBeVisible();
    await expect(page.getByText("No documents yet")).toBeVisible();
  });

  await test.step("a Markdown file and a CSV uploaded together both become ready, live", async () => {
    await page.getByLabel("Choose files, or drop them here").setInputFiles([
      { name: markdownName, mimeType: "text/markdown", buffer: Buffer.from(markdown) },
      { name: csvName, mimeType: "text/csv", buffer: Buffer.from(csv) },
    ]);
    const uploads = page.getByRole("list", { name: "Uploads" });
    await expect(uploads.getByTestId("upload-item").filter({ hasText: markdownName })).toHaveAttribute("data-state", "accepted");
    await expect(uploads.getByTestId("upload-item").filter({ hasText: csvName })).toHaveAttribute("data-state", "accepted");
    // No reload from here on: the rows follow the ingestion events.
    for (const name of [markdownName, csvName]) {
      await expect(documentRow(page, name).getByTestId("document-status")).toHaveText("Ready");
      await expect(documentRow(page, name).getByTestId("document-chunks")).toHaveText(/^[1-9]\d*$/);
    }
    await page.screenshot({ path: path.join(screenshotsDir, "knowledge-documents.png"), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
  });

  await test.step("an empty file is refused with a typed error, and nothing is added", async () => {
    await page
      .getByLabel("Choose files, or drop them here")
      .setInputFiles([{ name: emptyName, mimeType: "text/plain", buffer: Buffer.alloc(0) }]);
    const refused = page.getByTestId("upload-item").filter({ hasText: emptyName });
    await expect(refused).toHaveAttribute("data-state", "refused");
    await expect(refused.getByTestId("upload-error")).toContainText("The document is empty");
    await expect(refused.getByTestId("upload-error")).toContainText("(BAD_REQUEST: empty-document)");
    await expect(documentRow(page, emptyName)).toHaveCount(0);
    await expect(page.getByTestId("knowledge-document-count")).toHaveText("2");
  });

  const hits = page.getByRole("list", { name: "Retrieved chunks" }).getByTestId("search-hit");

  await test.step("the retrieval test puts the right chunk first, with its score parts and citation", async () => {
    await page.getByRole("tab", { name: "Retrieval test" }).click();
    const test_ = page.getByRole("form", { name: "Retrieval test" });
    await test_.getByLabel("Query").fill("how to rotate an API token");
    await test_.getByRole("button", { name: "Search" }).click();
    const first = hits.first();
    await expect(first.getByTestId("hit-citation")).toContainText(markdownName);
    await expect(first.getByTestId("hit-citation")).toContainText("Rotating tokens");
    await expect(first).toContainText("revoke the old token");
    // Both halves of the hybrid found it: a full-text rank and a vector similarity, fused.
    await expect(first.getByTestId("score-fused")).toHaveText(/^0\.\d{4}$/);
    await expect(first.getByTestId("score-full-text")).toHaveText(/^#\d+ · \d+\.\d{4}$/);
    await expect(first.getByTestId("score-vector")).toHaveText(/^#\d+ · -?\d\.\d{4}$/);
    await expect(page.getByTestId("search-summary")).toContainText("vector search: exact");
    await page.screenshot({ path: path.join(screenshotsDir, "knowledge-retrieval.png"), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    await test_.getByLabel("Query").fill("carbon flywheel Osaka");
    await test_.getByRole("button", { name: "Search" }).click();
    await expect(hits.first().getByTestId("hit-citation")).toContainText(csvName);
    await expect(hits.first()).toContainText("carbon flywheel");
  });

  await test.step("a citation opens its chunk highlighted in the document", async () => {
    await hits.first().getByRole("link", { name: "Open in document" }).click();
    await expect(page).toHaveURL(/\?chunk=[0-9a-f-]{36}$/);
    const cited = page.getByTestId("cited-chunk");
    await expect(cited).toBeVisible();
    await expect(cited).toContainText("carbon flywheel");
    await expect(cited).toBeFocused();
    expect(await seriousViolations(page)).toEqual([]);
  });

  await test.step("a deleted document vanishes from the table and from the results", async () => {
    await page.getByRole("tab", { name: "Retrieval test" }).click();
    const test_ = page.getByRole("form", { name: "Retrieval test" });
    await test_.getByLabel("Query").fill("how to rotate an API token");
    await test_.getByRole("button", { name: "Search" }).click();
    await expect(hits.first().getByTestId("hit-citation")).toContainText(markdownName);

    await page.getByRole("tab", { name: "Documents" }).click();
    await documentRow(page, markdownName)
      .getByRole("button", { name: `Delete ${markdownName}` })
      .click();
    await page.getByRole("button", { name: "Delete document" }).click();
    await expect(documentRow(page, markdownName)).toHaveCount(0);
    await expect(documentRow(page, csvName)).toHaveCount(1);

    // The results follow the index: no new search is needed for the deleted document to go.
    await page.getByRole("tab", { name: "Retrieval test" }).click();
    await expect(
      page.getByRole("list", { name: "Retrieved chunks" }).getByTestId("hit-citation").filter({ hasText: markdownName }),
    ).toHaveCount(0);
    const results = page.getByRole("list", { name: "Retrieved chunks" }).or(page.getByText("Nothing retrieved"));
    await expect(results).toBeVisible();
  });

  await test.step("an agent with the base attached cites it, and the citation opens the chunk", async () => {
    const projectId = await currentProjectId(page);
    // Made through the API as a script would, then given the base in its form; the offline model answers
    // by repeating the message, so the "[1]" it repeats cites the first excerpt retrieval found for it:
    // the real retrieval and citation path.
    const response = await page.request.post("/api/trpc/agents.create", {
      headers: { origin: baseURL ?? "" },
      data: {
        json: {
          projectId,
          name: `Librarian ${suffix}`,
          role: "answers from the handbook",
          model: { provider: "local", model: "local-echo" },
        },
      },
    });
    expect(response.ok(), await response.text()).toBe(true);
    const agentId = ((await response.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;
    await page.goto(`/agents/${agentId}/edit`);
    const knowledgeGroup = page.getByRole("group", { name: "Knowledge bases" });
    await knowledgeGroup.getByLabel(baseName, { exact: true }).check();
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Agent saved.")).toBeVisible();
    await page.goto(`/agents/${agentId}`);
    await page.getByLabel("Message", { exact: true }).fill("Where is the carbon flywheel stored? Quote [1].");
    await page.getByRole("button", { name: "Send" }).click();
    const answer = page.getByTestId("assistant-message").last();
    const sources = answer.getByTestId("message-citations");
    await expect(sources.getByRole("link", { name: `${csvName}, chunk 1` })).toBeVisible();
    await expect(answer.getByRole("link", { name: `Source 1: ${csvName}, chunk 1` })).toBeVisible();
    await page.screenshot({ path: path.join(screenshotsDir, "knowledge-chat-citation.png"), fullPage: true });
    await answer.getByRole("link", { name: `Source 1: ${csvName}, chunk 1` }).click();
    await expect(page).toHaveURL(new RegExp(`/knowledge/${knowledgeBaseId}\\?chunk=[0-9a-f-]{36}$`));
    await expect(page.getByTestId("cited-chunk")).toContainText("carbon flywheel");
  });

  expect(problems).toEqual([]);
});
