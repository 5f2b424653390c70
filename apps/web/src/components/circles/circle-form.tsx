"use client";
/**
 * Create or edit a circle: members (agents with a role inside the circle, in order), the strategy, the
 * coordinator it needs (selector, hierarchical) and the termination rules and budgets. The server
 * validates the whole definition with core's schema and its message is shown as is.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import type { AccountProject } from "~/components/current-project";
import { ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField, TextField } from "~/components/field";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./circles.module.css";
import { type Circle, type CircleStrategy, strategies, strategyLabels } from "./shared";

type Agent = RouterOutputs["agents"]["list"]["items"][number];
interface MemberDraft {
  /** Stable across reordering and removal, for React's list keys. */
  key: string;
  agentId: string;
  role: string;
}

let draftCounter = 0;
function draft(agentId: string, role = ""): MemberDraft {
  draftCounter += 1;
  return { key: `member-${draftCounter}`, agentId, role };
}

/** Empty text means "no limit"; anything else must be a whole number. */
function optionalNumber(text: string, scale = 1): number | undefined {
  if (text.trim() === "") return undefined;
  return Math.round(Number(text) * scale);
}

export function CircleForm({ project, circle }: { project: AccountProject; circle?: Circle }) {
  const trpc = useTRPC();
  const agents = useQuery(trpc.agents.list.queryOptions({ projectId: project.id, includeArchived: false, limit: 100 }));
  if (agents.isPending) return <LoadingState label="Loading agents…" />;
  if (agents.isError) return <ErrorState error={agents.error} onRetry={() => agents.refetch()} />;
  return <CircleFormFields project={project} agents={agents.data.items} {...(circle ? { circle } : {})} />;
}

function CircleFormFields({ project, agents, circle }: { project: AccountProject; agents: Agent[]; circle?: Circle }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const descriptionId = useId();
  const [name, setName] = useState(circle?.name ?? "");
  const [description, setDescription] = useState(circle?.description ?? "");
  const [strategy, setStrategy] = useState<CircleStrategy>(circle?.strategy ?? "round_robin");
  const [members, setMembers] = useState<MemberDraft[]>(() =>
    circle ? circle.members.map((member) => draft(member.agentId, member.role)) : agents.slice(0, 2).map((agent) => draft(agent.id)),
  );
  const [coordinatorAgentId, setCoordinatorAgentId] = useState(circle?.coordinatorAgentId ?? agents[0]?.id ?? "");
  const [maxTurns, setMaxTurns] = useState(String(circle?.termination.maxTurns ?? 20));
  const [maxTokens, setMaxTokens] = useState(circle?.termination.maxTokens ? String(circle.termination.maxTokens) : "");
  const [maxCostUsd, setMaxCostUsd] = useState(
    circle?.termination.maxCostMicros ? String(circle.termination.maxCostMicros / 1_000_000) : "",
  );
  const [timeoutSeconds, setTimeoutSeconds] = useState(circle?.termination.timeoutSeconds ? String(circle.termination.timeoutSeconds) : "");
  const [completionPhrase, setCompletionPhrase] = useState(circle?.termination.completionPhrase ?? "");
  const needsCoordinator = strategy === "selector" || strategy === "hierarchical";
  const agentOptions = agents.map((agent) => ({ value: agent.id, label: agent.name }));

  const onSuccess = async (saved: Circle) => {
    await queryClient.invalidateQueries({ queryKey: trpc.circles.list.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.circles.get.queryKey() });
    router.push(`/circles/${saved.id}`);
  };
  const create = useMutation(trpc.circles.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.circles.update.mutationOptions({ onSuccess }));
  const error = create.error ?? update.error;
  const isPending = create.isPending || update.isPending;

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const termination = {
      maxTurns: Number(maxTurns),
      ...(optionalNumber(maxTokens) !== undefined ? { maxTokens: optionalNumber(maxTokens) } : {}),
      ...(optionalNumber(maxCostUsd, 1_000_000) !== undefined ? { maxCostMicros: optionalNumber(maxCostUsd, 1_000_000) } : {}),
      ...(optionalNumber(timeoutSeconds) !== undefined ? { timeoutSeconds: optionalNumber(timeoutSeconds) } : {}),
      ...(completionPhrase.trim() ? { completionPhrase: completionPhrase.trim() } : {}),
    };
    const definition = {
      name,
      description,
      strategy,
      members,
      coordinatorAgentId: needsCoordinator ? coordinatorAgentId : null,
      termination,
    };
    if (circle) update.mutate({ projectId: project.id, circleId: circle.id, definition, expectedVersion: circle.version });
    else create.mutate({ projectId: project.id, definition });
  }

  return (
    <form className="panel section" onSubmit={handleSubmit} aria-label={circle ? "Edit circle" : "New circle"} noValidate>
      <TextField label="Name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />
      <div className="field">
        <label htmlFor={descriptionId}>Description</label>
        <textarea
          id={descriptionId}
          className={styles.textarea}
          rows={2}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <SelectField<CircleStrategy>
        label="Strategy"
        value={strategy}
        options={strategies.map((value) => ({ value, label: strategyLabels[value].label }))}
        onChange={setStrategy}
      />
      <p className="muted">{strategyLabels[strategy].description}</p>
      {needsCoordinator ? (
        <SelectField
          label={strategy === "selector" ? "Selector (picks who speaks next)" : "Manager"}
          value={coordinatorAgentId}
          options={agentOptions}
          onChange={setCoordinatorAgentId}
        />
      ) : null}
      <fieldset className="field">
        <legend>Members, in order</legend>
        {members.map((member, index) => (
          <div key={member.key} className={styles.memberRow} data-testid="member-row">
            <SelectField
              label={`Member ${index + 1}`}
              value={member.agentId}
              options={agentOptions}
              onChange={(agentId) => setMembers((current) => current.map((entry, at) => (at === index ? { ...entry, agentId } : entry)))}
            />
            <TextField
              label={`Role of member ${index + 1} in this circle`}
              value={member.role}
              maxLength={2000}
              onChange={(event) => {
                const role = event.target.value;
                setMembers((current) => current.map((entry, at) => (at === index ? { ...entry, role } : entry)));
              }}
            />
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setMembers((current) => current.filter((_, at) => at !== index))}
            >
              Remove
            </button>
          </div>
        ))}
        <button
          type="button"
          className="button button-secondary"
          disabled={agents.length === 0}
          onClick={() =>
            setMembers((current) => [
              ...current,
              draft(agents.find((agent) => !current.some((entry) => entry.agentId === agent.id))?.id ?? agents[0]?.id ?? ""),
            ])
          }
        >
          Add a member
        </button>
      </fieldset>
      <fieldset className="field">
        <legend>Termination and budgets</legend>
        <div className={styles.grid}>
          <TextField
            label="Max turns"
            type="number"
            min={1}
            max={500}
            value={maxTurns}
            onChange={(event) => setMaxTurns(event.target.value)}
          />
          <TextField
            label="Token budget (optional)"
            type="number"
            min={1}
            value={maxTokens}
            onChange={(event) => setMaxTokens(event.target.value)}
          />
          <TextField
            label="Cost budget in USD (optional)"
            type="number"
            min={0}
            step="0.01"
            value={maxCostUsd}
            onChange={(event) => setMaxCostUsd(event.target.value)}
          />
          <TextField
            label="Time limit in seconds (optional)"
            type="number"
            min={1}
            value={timeoutSeconds}
            onChange={(event) => setTimeoutSeconds(event.target.value)}
          />
          <TextField
            label="Completion phrase (optional)"
            value={completionPhrase}
            maxLength={200}
            onChange={(event) => setCompletionPhrase(event.target.value)}
          />
        </div>
      </fieldset>
      <InlineError message={error ? errorMessage(error) : null} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={isPending}>
          {isPending ? "Saving…" : circle ? "Save changes" : "Create circle"}
        </button>
      </div>
    </form>
  );
}
