/**
 * Choosing the current project on the server, from a server action: the project cookie the browser also
 * writes (~/components/project-cookie) and the layout reads (getServerProject in ~/server/prefetch).
 */
import { cookies } from "next/headers";
import { PROJECT_COOKIE, PROJECT_COOKIE_MAX_AGE_SECONDS } from "~/components/project-cookie";

/** Makes `projectId` the current project for pages rendered from now on (only in a server action or route handler). */
export async function rememberProjectOnServer(projectId: string): Promise<void> {
  (await cookies()).set(PROJECT_COOKIE, projectId, { path: "/", sameSite: "lax", maxAge: PROJECT_COOKIE_MAX_AGE_SECONDS });
}
