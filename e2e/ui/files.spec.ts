/** The workspace file browser end to end: create a file, edit and save it, see it after a reload, rename, upload, download and delete. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { screenshotsDir } from "../support/paths";
import { alertsOf, expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

// Runs as the owner; other specs may have left files, so names carry a suffix.
test("the owner creates, edits, renames, uploads, downloads and deletes workspace files", async ({ page }) => {
  test.slow();
  const problems = collectPageProblems(page);
  const suffix = uniqueSuffix();
  const fileName = `notes-${suffix}.md`;
  const renamed = `plan-${suffix}.md`;
  const content = `# Plan ${suffix}\n\n- write the spec\n- ship it\n`;
  const tree = page.getByRole("list", { name: "Workspace files" });
  const editor = page.getByLabel("File content", { exact: true });

  await test.step("the files page is in the sidebar", async () => {
    await page.goto("/");
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Files" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Files" })).toBeVisible();
    await expect(page).toHaveURL("/files");
  });

  await test.step("a new file opens in the editor, and saving keeps the text", async () => {
    await page.getByRole("button", { name: "New file" }).click();
    await page.getByLabel("New file name").fill(fileName);
    await page.getByRole("button", { name: "Create file" }).click();
    await expect(page.getByRole("heading", { level: 2, name: fileName })).toBeVisible();
    await expect(tree.getByRole("button", { name: fileName, exact: true })).toBeVisible();
    await editor.fill(content);
    await expect(page.getByText("Unsaved changes")).toBeVisible();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText(/^Saved at/)).toBeVisible();
  });

  await test.step("after a reload the file still holds the saved text", async () => {
    await page.reload();
    await tree.getByRole("button", { name: fileName, exact: true }).click();
    await expect(editor).toHaveValue(content);
  });

  await test.step("a hostile name is refused with the server's reason", async () => {
    await page.getByRole("button", { name: "New file" }).click();
    await page.getByLabel("New file name").fill("../escape.md");
    await page.getByRole("button", { name: "Create file" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "may not contain" })).toBeVisible();
    await page.getByRole("button", { name: "Cancel" }).click();
  });

  await test.step("renamed, the file keeps its content under the new name", async () => {
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByLabel("New path").fill(renamed);
    await page.getByRole("button", { name: "Rename" }).click();
    await expect(page.getByRole("heading", { level: 2, name: renamed })).toBeVisible();
    await expect(tree.getByRole("button", { name: fileName, exact: true })).toHaveCount(0);
    await expect(editor).toHaveValue(content);
  });

  await test.step("an uploaded file appears in the tree", async () => {
    await page
      .getByLabel("Upload files")
      .setInputFiles({ name: `data-${suffix}.csv`, mimeType: "text/csv", buffer: Buffer.from("a,b\n1,2\n") });
    await expect(tree.getByRole("button", { name: `data-${suffix}.csv`, exact: true })).toBeVisible();
    await expect(editor).toHaveValue("a,b\n1,2\n");
  });

  await test.step("download gives back the file's bytes", async () => {
    await tree.getByRole("button", { name: renamed, exact: true }).click();
    await expect(editor).toHaveValue(content);
    await page.screenshot({ path: path.join(screenshotsDir, "files.png"), fullPage: true });
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(renamed);
    expect(await readFile(await download.path(), "utf8")).toBe(content);
  });

  await test.step("deleted after confirmation, the files leave the tree", async () => {
    await page.getByRole("button", { name: `Delete ${renamed}` }).click();
    await page.getByRole("button", { name: "Delete file" }).click();
    await expect(tree.getByRole("button", { name: renamed, exact: true })).toHaveCount(0);
    await tree.getByRole("button", { name: `data-${suffix}.csv`, exact: true }).click();
    await page.getByRole("button", { name: `Delete data-${suffix}.csv` }).click();
    await page.getByRole("button", { name: "Delete file" }).click();
    await expect(page.getByRole("heading", { level: 2, name: `data-${suffix}.csv` })).toHaveCount(0);
  });

  await expect(alertsOf(page)).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("streamed transfers refuse cross-origin uploads, oversized ones, hostile paths and strangers, and change nothing", async ({
  page,
  baseURL,
  playwright,
}) => {
  await page.goto("/");
  const me = (await (await page.request.get("/api/trpc/auth.me")).json()) as { result: { data: { json: { projects: { id: string }[] } } } };
  const projectId = me.result.data.json.projects[0]?.id ?? "";
  const name = `transfer-${uniqueSuffix()}.txt`;
  const upload = (path: string, headers: Record<string, string> = {}) =>
    page.request.put(`/api/workspace/upload?${new URLSearchParams({ projectId, path })}`, {
      headers: { "content-type": "application/octet-stream", origin: new URL(baseURL ?? "").origin, ...headers },
      data: Buffer.from("hello"),
    });
  const download = (path: string) => page.request.get(`/api/workspace/download?${new URLSearchParams({ projectId, path })}`);

  const forged = await upload(name, { origin: "https://evil.example" });
  expect(forged.status()).toBe(403);
  expect((await download(name)).status()).toBe(404);

  const oversized = await page.request.put(`/api/workspace/upload?${new URLSearchParams({ projectId, path: name })}`, {
    headers: { "content-type": "application/octet-stream", origin: new URL(baseURL ?? "").origin },
    data: Buffer.alloc(10 * 1024 * 1024 + 1),
  });
  expect(oversized.status()).toBe(413);
  expect(((await oversized.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");

  for (const hostile of ["../escape.txt", "/etc/passwd", "a%2fb.txt"]) {
    const refused = await upload(hostile);
    expect(refused.status()).toBe(400);
  }
  expect((await download("../../../etc/passwd")).status()).toBe(400);

  const stranger = await playwright.request.newContext({ baseURL: baseURL ?? "", storageState: { cookies: [], origins: [] } });
  const anonymous = await stranger.get(`/api/workspace/download?${new URLSearchParams({ projectId, path: name })}`);
  expect(anonymous.status(), await anonymous.text()).toBe(401);
  await stranger.dispose();

  const genuine = await upload(name);
  expect(genuine.status()).toBe(201);
  const fetched = await download(name);
  expect(fetched.status()).toBe(200);
  expect(fetched.headers()["content-disposition"]).toContain(`filename="${name}"`);
  expect(await fetched.text()).toBe("hello");
});
