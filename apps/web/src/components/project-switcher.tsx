"use client";
/** Chooses the current project among the user's, and creates new ones. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { fieldErrorsOf, formErrorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { useCurrentProject } from "./current-project";
import { InlineError } from "./feedback";
import { TextField } from "./field";
import { roleLabels } from "./format";

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
        <button type="button" className="button button-ghost button-small" onClick={() => setIsCreating(true)}>
          + New project
        </button>
      )}
    </div>
  );
}

function NewProjectForm({ onDone }: { onDone: (createdId: string | null) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.projects.create.mutationOptions({
      onSuccess: async (created) => {
        // The switcher lists projects from auth.me; wait for it so the new one is there when selected.
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.projects.list.queryKey() }),
        ]);
        onDone(created.id);
      },
    }),
  );

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ name });
  }

  return (
    <form className="new-project" onSubmit={handleSubmit} noValidate aria-label="New project">
      <TextField
        label="Project name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        maxLength={100}
        required
        autoFocus
        error={fieldErrorsOf(create.error).name}
      />
      <InlineError message={formErrorMessage(create.error, ["name"])} />
      <div className="button-row">
        <button type="submit" className="button button-primary button-small" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create project"}
        </button>
        <button type="button" className="button button-ghost button-small" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
