/**
 * The project a server-rendered form works in, and remembering a project on the server. The browser's
 * choice lives in localStorage and is mirrored into the project cookie (~/components/project-cookie);
 * without that cookie the first project is used, as the browser itself does when it has no choice yet.
 */
import type { RouterOutputs } from "@gathering/api";
import { TRPCError } from "@trpc/server";
import { cookies } from "next/headers";
import { PROJECT_COOKIE, PROJECT_COOKIE_MAX_AGE_SECONDS } from "~/components/project-cookie";
import { createServerApi } from "~/server/session";

export type AccountProject = RouterOutputs["auth"]["me"]["projects"][number];

/** The signed-in user's current project (null when they have none) and their server caller. */
export async function serverProjectScope() {
  const { api } = await createServerApi();
  // The dashboard layout has already sent anyone signed out to the sign-in page.
  const account = await api.auth.me().catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "UNAUTHORIZED") return null;
    throw error;
  });
  const chosenId = (await cookies()).get(PROJECT_COOKIE)?.value;
  const projects = account?.projects ?? [];
  const project: AccountProject | null = projects.find((candidate) => candidate.id === chosenId) ?? projects[0] ?? null;
  return { api, project };
}

/** Makes `projectId` the current project for pages rendered from now on (only in a server action or route handler). */
export async function rememberProjectOnServer(projectId: string): Promise<void> {
  (await cookies()).set(PROJECT_COOKIE, projectId, { path: "/", sameSite: "lax", maxAge: PROJECT_COOKIE_MAX_AGE_SECONDS });
}
