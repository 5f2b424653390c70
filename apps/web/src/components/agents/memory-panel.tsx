"use client";
/** What an agent remembers for the signed-in user: long-term memories (add, delete) and the working profile (clear). */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import type { AccountProject } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { TextField } from "~/components/field";
import { formatDateTime, hasRole } from "~/components/format";
import { errorMessage, fieldErrorsOf, formErrorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./agents.module.css";

type Agent = RouterOutputs["agents"]["get"];

export function MemoryPanel({ project, agent }: { project: AccountProject; agent: Agent }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const memoryQuery = trpc.agents.memory.list.queryOptions({ projectId: project.id, agentId: agent.id });
  const memory = useQuery({ ...memoryQuery, staleTime: 0 });
  const canEdit = hasRole(project.role, "member");
  const [failure, setFailure] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: memoryQuery.queryKey });
  const forget = useMutation(
    trpc.agents.memory.delete.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: refresh,
      onError: (error) => setFailure(`Could not delete the memory: ${errorMessage(error)}`),
    }),
  );
  const clearProfile = useMutation(
    trpc.agents.memory.clearProfile.mutationOptions({
      onMutate: () => setFailure(null),
      onSuccess: refresh,
      onError: (error) => setFailure(`Could not clear the profile: ${errorMessage(error)}`),
    }),
  );

  if (memory.isPending) return <LoadingState label="Loading what the agent remembers…" />;
  if (memory.isError) return <ErrorState error={memory.error} onRetry={() => memory.refetch()} />;
  const profileEntries = Object.entries(memory.data.profile);

  return (
    <>
      <section className="section panel" aria-labelledby="memories-heading">
        <h2 id="memories-heading">Long-term memories</h2>
        <p className="muted">
          Facts {agent.name} keeps across chats (yours, and those shared with everyone), recalled when they are relevant.
          {agent.memory.longTermEnabled ? "" : " Long-term memory is off for this agent: these are kept but not recalled."}
        </p>
        {canEdit ? <AddMemoryForm project={project} agent={agent} onAdded={refresh} /> : null}
        <InlineError message={failure} />
        {memory.data.memories.length === 0 ? (
          <EmptyState title="Nothing remembered yet">Tell the agent “remember that …”, or add a memory above.</EmptyState>
        ) : (
          <ul className={styles.memoryList} aria-label="Memories">
            {memory.data.memories.map((item) => (
              <li key={item.id} className={styles.memoryItem}>
                <p className={styles.memoryContent}>{item.content}</p>
                <span className="badge badge-quiet">{item.source === "user" ? "Added by hand" : "Agent"}</span>
                {item.userId === null ? <span className="badge">Shared</span> : null}
                <span className="muted">{formatDateTime(item.createdAt)}</span>
                {canEdit ? (
                  <ConfirmButton
                    label="Delete"
                    accessibleLabel={`Delete the memory “${item.content.slice(0, 60)}”`}
                    prompt="Forget this?"
                    confirmLabel="Delete memory"
                    isPending={forget.isPending && forget.variables?.memoryId === item.id}
                    onConfirm={() => forget.mutate({ projectId: project.id, agentId: agent.id, memoryId: item.id })}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="section panel" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Working profile</h2>
        <p className="muted">What {agent.name} has noted about you while chatting; only you and the agent see it.</p>
        {profileEntries.length === 0 ? (
          <EmptyState title="The profile is empty" />
        ) : (
          <>
            <dl className={styles.profile}>
              {profileEntries.map(([key, value]) => (
                <div key={key} style={{ display: "contents" }}>
                  <dt>{key}</dt>
                  <dd>{Array.isArray(value) ? value.join(", ") : typeof value === "string" ? value : JSON.stringify(value)}</dd>
                </div>
              ))}
            </dl>
            {canEdit ? (
              <ConfirmButton
                label="Clear profile"
                prompt="Clear the whole profile?"
                confirmLabel="Clear profile"
                isPending={clearProfile.isPending}
                onConfirm={() => clearProfile.mutate({ projectId: project.id, agentId: agent.id })}
              />
            ) : null}
          </>
        )}
      </section>
    </>
  );
}

function AddMemoryForm({ project, agent, onAdded }: { project: AccountProject; agent: Agent; onAdded: () => Promise<void> }) {
  const trpc = useTRPC();
  const [content, setContent] = useState("");
  const [isShared, setIsShared] = useState(false);
  const add = useMutation(
    trpc.agents.memory.add.mutationOptions({
      onSuccess: async () => {
        setContent("");
        await onAdded();
      },
    }),
  );

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ projectId: project.id, agentId: agent.id, content, shared: isShared });
  }

  return (
    <form onSubmit={handleSubmit} noValidate>
      <div className="form-inline">
        <TextField
          label="New memory"
          autoComplete="off"
          placeholder="e.g. Our releases go out on Tuesdays"
          maxLength={2000}
          value={content}
          onChange={(event) => setContent(event.target.value)}
          error={fieldErrorsOf(add.error).content}
        />
        <button type="submit" className="button button-primary" disabled={add.isPending}>
          {add.isPending ? "Adding…" : "Add memory"}
        </button>
      </div>
      <label className={styles.checkbox}>
        <input type="checkbox" checked={isShared} onChange={(event) => setIsShared(event.target.checked)} />
        Shared with everyone in the project who chats with {agent.name}
      </label>
      <InlineError message={formErrorMessage(add.error, ["content"])} />
    </form>
  );
}
