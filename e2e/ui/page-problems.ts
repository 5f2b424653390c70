/** Console errors and uncaught exceptions of a page: what a user would see as a broken dashboard. */
import type { Page } from "@playwright/test";

const failedStatusMessage = /the server responded with a status of (\d{3})/;

export interface ExpectedFailure {
  /** The path of the request that is meant to fail, e.g. "/api/auth/callback/credentials". */
  path: string;
  status: number;
}

/**
 * Chromium logs every failed response as a console error, including those a test provokes on purpose
 * (a 404 page, a wrong password, a refused sign-up); only those listed in `expectedFailures` are tolerated.
 */
export function collectPageProblems(page: Page, { expectedFailures = [] as ExpectedFailure[] } = {}): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const url = message.location().url;
    const status = Number(message.text().match(failedStatusMessage)?.[1]);
    const path = URL.canParse(url) ? new URL(url).pathname : "";
    if (expectedFailures.some((expected) => expected.status === status && path === expected.path)) return;
    problems.push(`console error: ${message.text()} (${url})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return problems;
}
