"use client";
/**
 * Chooses the current project among the user's, and creates new ones. Creating posts to a server action
 * (createProjectAction); before or without JavaScript, "New project" opens /projects/new instead of the
 * inline form, and the new project becomes the current one through the project cookie.
 */
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { submittedText, submittedValues } from "~/server/actions/form-state";
import { createProjectAction } from "~/server/actions/projects";
import { useTRPC } from "~/trpc/react";
import { useCurrentProject } from "./current-project";
import { InlineError } from "./feedback";
import { TextField } from "./field";
import { roleLabels } from "./format";
import { useServerForm } from "./server-form";

export function ProjectSwitcher() {
  const selectId = useId();
  const { project, projects, isResolved, selectProject } = useCurrentProject();
  const [isCreating, setIsCreating] = useState(false);

  return (
    <div className="project-switcher">
      <label htmlFor={selectId} className="project-switcher-label">
        Project
      </label>
      <select
        id={selectId}
        value={project?.id ?? ""}
        disabled={!isResolved || projects.length === 0}
        onChange={(event) => selectProject(event.target.value)}
      >
        {projects.length === 0 ? <option value="">No project</option> : null}
        {projects.map((candidate) => (
          <option key={candidate.id} value={candidate.id}>
            {candidate.name}
          </option>
        ))}
      </select>
      {project ? <p className="project-switcher-role">Your role: {roleLabels[project.role]}</p> : null}
      {isCreating ? (
        <NewProjectForm
          onDone={(createdId) => {
            setIsCreating(false);
            if (createdId) selectProject(createdId);
          }}
        />
      ) : (
        // A plain GET form, so the button also leads somewhere before the page's script runs.
        <form action="/projects/new" method="get">
          <button
            type="submit"
            className="button button-ghost button-small"
            onClick={(event) => {
              event.preventDefault();
              setIsCreating(true);
            }}
          >
            + New project
          </button>
        </form>
      )}
    </div>
  );
}

/**
 * `onDone`: the inline form in the sidebar closes itself (and switches to the new project); without it
 * (the /projects/new page) the new project opens on the overview.
 */
export function NewProjectForm({ onDone }: { onDone?: (createdId: string | null) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { selectProject } = useCurrentProject();
  const create = useServerForm(createProjectAction, {
    onSuccess: async (created, redirectTo) => {
      // The switcher lists projects from auth.me; wait for it so the new one is there when selected.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.projects.list.queryKey() }),
      ]);
      if (onDone) return onDone(created.id);
      selectProject(created.id);
      router.push(redirectTo);
    },
  });
  const [name, setName] = useState(() => submittedText(submittedValues(create.state), "name") ?? "");
  // A new submission clears what the last one said, as a mutation does.
  const refusal = !create.isPending && create.state.status === "invalid" ? create.state : null;
  const nameError = refusal?.fieldErrors.name;
  const otherErrors = Object.entries(refusal?.fieldErrors ?? {}).filter(([field]) => field !== "name");
  const formError =
    otherErrors.length > 0 ? otherErrors.map(([, message]) => message).join(" ") : nameError ? null : (refusal?.formError ?? null);

  return (
    <form className="new-project" {...create.formProps} noValidate aria-label="New project">
      <TextField
        label="Project name"
        name="name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        maxLength={100}
        required
        autoFocus
        error={nameError}
      />
      <InlineError message={formError} />
      <div className="button-row">
        <button type="submit" className="button button-primary button-small" disabled={create.isPending || create.isSucceeded}>
          {create.isPending || create.isSucceeded ? "Creating…" : "Create project"}
        </button>
        {onDone ? (
          <button type="button" className="button button-ghost button-small" onClick={() => onDone(null)}>
            Cancel
          </button>
        ) : (
          <Link href="/" className="button button-ghost button-small">
            Cancel
          </Link>
        )}
      </div>
    </form>
  );
}
