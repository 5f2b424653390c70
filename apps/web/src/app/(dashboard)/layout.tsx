/** Every dashboard page needs a signed-in user; others go to the sign-in page. The shell gets the account up front. */

import { serverEnv } from "@gathering/server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { type Account, AppShell } from "~/components/app-shell";
import { getServerAccount, getServerProject } from "~/server/prefetch";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // Test hook: lets the e2e suite see what a page that fails on the server looks like, and its retry.
  if (serverEnv().GATHERING_TEST_HOOKS === "1" && (await headers()).get("x-gathering-test-fail") === "render") {
    throw new Error("test hook: the dashboard layout failed on purpose");
  }
  // Signed out, or a valid cookie for an account that no longer exists: as good as no session.
  const account: Account | null = await getServerAccount();
  if (!account) redirect("/sign-in");
  // The page renders for this project on the server already, so its data can be in the first HTML.
  const project = await getServerProject();
  return (
    <AppShell account={account} initialProjectId={project?.id ?? null}>
      {children}
    </AppShell>
  );
}
