"use server";
/** The new-project form's server action: projects.create through the server caller; the new project becomes the current one. */
import type { RouterOutputs } from "@gathering/api";
import { textOf } from "./form-input";
import type { FormState } from "./form-state";
import { rememberProjectOnServer } from "./remember-project";
import { runFormAction } from "./run-form-action";

type Project = RouterOutputs["projects"]["create"];

export async function createProjectAction(_previous: FormState<Project>, formData: FormData): Promise<FormState<Project>> {
  return runFormAction({
    formData,
    parse: (data) => ({ input: { name: textOf(data, "name") } }),
    call: (api, input) => api.projects.create(input),
    // Pages rendered from now on show the new project, also where no script can switch to it.
    afterSuccess: (project) => rememberProjectOnServer(project.id),
    redirectTo: () => "/",
  });
}
