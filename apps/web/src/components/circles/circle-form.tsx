"use client";
/**
 * Create or edit a circle: members (agents with a role inside the circle, in order), the strategy, the
 * coordinator it needs (selector, hierarchical) and the termination rules and budgets. The server
 * validates the whole definition with core's schema; its errors show next to their fields. A new circle
 * is posted to a server action (createCircleAction), so the server-rendered form works before or without
 * JavaScript; every field is named by its path in the definition.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import type { AccountProject } from "~/components/current-project";
import { ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField, TextField } from "~/components/field";
import { useServerForm } from "~/components/server-form";
import { createCircleAction } from "~/server/actions/circles";
import {
  type ErrorTree,
  type FieldErrors,
  type FormValues,
  fieldErrorsOfTree,
  isUnderPath,
  submittedText,
  submittedValues,
} from "~/server/actions/form-state";
import { errorMessage } from "~/trpc/errors";
import { activeAgentsInput } from "~/trpc/page-queries";
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

/** Where the form shows each error path; the rest goes above the button. */
const shownPaths = ["name", "description", "strategy", "coordinatorAgentId", "members", "termination"];

/** A new circle's page prefetches activeAgentsInput on the server, so the form arrives whole. */
export function CircleForm({ project, circle }: { project: AccountProject; circle?: Circle }) {
  const trpc = useTRPC();
  const agents = useQuery(trpc.agents.list.queryOptions(activeAgentsInput(project.id)));
  if (agents.isPending) return <LoadingState label="Loading agents…" />;
  if (agents.isError) return <ErrorState error={agents.error} onRetry={() => agents.refetch()} />;
  return <CircleFormFields project={project} agents={agents.data.items} {...(circle ? { circle } : {})} />;
}

const isStrategy = (value: string | undefined): value is CircleStrategy => strategies.some((strategy) => strategy === value);

/** The member rows as posted (a page the server rendered again with its errors, without JavaScript). */
function membersOfValues(values: FormValues): MemberDraft[] {
  return Object.keys(values)
    .map((key) => /^members\.(\d+)\.agentId$/.exec(key)?.[1])
    .filter((index): index is string => index !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
    .map((index) => draft(submittedText(values, `members.${index}.agentId`) ?? "", submittedText(values, `members.${index}.role`) ?? ""));
}

function CircleFormFields({ project, agents, circle }: { project: AccountProject; agents: Agent[]; circle?: Circle }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const descriptionId = useId();
  const onSuccess = async (saved: Circle) => {
    await queryClient.invalidateQueries({ queryKey: trpc.circles.list.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.circles.get.queryKey() });
    router.push(`/circles/${saved.id}`);
  };
  const create = useServerForm(createCircleAction, { onSuccess });
  const update = useMutation(trpc.circles.update.mutationOptions({ onSuccess }));
  // What a new circle's page was posted with, when the server rendered it again with errors.
  const posted = circle ? undefined : submittedValues(create.state);
  const postedText = (name: string) => (posted ? submittedText(posted, name) : undefined);
  const postedStrategy = postedText("strategy");
  const [name, setName] = useState(circle?.name ?? postedText("name") ?? "");
  const [description, setDescription] = useState(circle?.description ?? postedText("description") ?? "");
  const [strategy, setStrategy] = useState<CircleStrategy>(
    circle?.strategy ?? (isStrategy(postedStrategy) ? postedStrategy : "round_robin"),
  );
  const [members, setMembers] = useState<MemberDraft[]>(() =>
    circle
      ? circle.members.map((member) => draft(member.agentId, member.role))
      : posted
        ? membersOfValues(posted)
        : agents.slice(0, 2).map((agent) => draft(agent.id)),
  );
  const [coordinatorAgentId, setCoordinatorAgentId] = useState(
    circle?.coordinatorAgentId ?? postedText("coordinatorAgentId") ?? agents[0]?.id ?? "",
  );
  const [maxTurns, setMaxTurns] = useState(String(circle?.termination.maxTurns ?? postedText("termination.maxTurns") ?? 20));
  const [maxTokens, setMaxTokens] = useState(
    circle?.termination.maxTokens ? String(circle.termination.maxTokens) : (postedText("termination.maxTokens") ?? ""),
  );
  const [maxCostUsd, setMaxCostUsd] = useState(
    circle?.termination.maxCostMicros ? String(circle.termination.maxCostMicros / 1_000_000) : (postedText("termination.maxCostUsd") ?? ""),
  );
  const [timeoutSeconds, setTimeoutSeconds] = useState(
    circle?.termination.timeoutSeconds ? String(circle.termination.timeoutSeconds) : (postedText("termination.timeoutSeconds") ?? ""),
  );
  const [completionPhrase, setCompletionPhrase] = useState(
    circle?.termination.completionPhrase ?? postedText("termination.completionPhrase") ?? "",
  );
  const needsCoordinator = strategy === "selector" || strategy === "hierarchical";
  const agentOptions = agents.map((agent) => ({ value: agent.id, label: agent.name }));

  const isPending = create.isPending || create.isSucceeded || update.isPending;
  // A new submission clears what the last one said, as a mutation does.
  const refusal = !circle && !create.isPending && create.state.status === "invalid" ? create.state : null;
  const updateIssues = (update.error?.data?.details as { issues?: ErrorTree } | null | undefined)?.issues;
  const fieldErrors: FieldErrors = circle ? (updateIssues ? fieldErrorsOfTree(updateIssues) : {}) : (refusal?.fieldErrors ?? {});
  const errorAt = (path: string) => fieldErrors[path];
  const unshown = Object.entries(fieldErrors).filter(([path]) => !shownPaths.some((shown) => isUnderPath(path, shown)));
  const formMessage =
    unshown.length > 0
      ? unshown.map(([, message]) => message).join(" ")
      : circle
        ? update.error && Object.keys(fieldErrors).length === 0
          ? errorMessage(update.error)
          : null
        : (refusal?.formError ?? null);

  /** Edits go through the typed client; a new circle through its server action (create.formProps). */
  function handleUpdate(event: FormEvent) {
    event.preventDefault();
    if (!circle) return;
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
    update.mutate({ projectId: project.id, circleId: circle.id, definition, expectedVersion: circle.version });
  }

  return (
    <form
      className="panel section"
      {...(circle ? { onSubmit: handleUpdate } : create.formProps)}
      aria-label={circle ? "Edit circle" : "New circle"}
      noValidate
    >
      <input type="hidden" name="projectId" value={project.id} />
      <TextField
        label="Name"
        name="name"
        value={name}
        maxLength={100}
        error={errorAt("name")}
        onChange={(event) => setName(event.target.value)}
      />
      <div className="field">
        <label htmlFor={descriptionId}>Description</label>
        <textarea
          id={descriptionId}
          name="description"
          className={styles.textarea}
          rows={2}
          value={description}
          aria-invalid={errorAt("description") ? true : undefined}
          aria-describedby={errorAt("description") ? `${descriptionId}-error` : undefined}
          onChange={(event) => setDescription(event.target.value)}
        />
        {errorAt("description") ? (
          <p id={`${descriptionId}-error`} className="field-error">
            {errorAt("description")}
          </p>
        ) : null}
      </div>
      <SelectField<CircleStrategy>
        label="Strategy"
        name="strategy"
        value={strategy}
        options={strategies.map((value) => ({ value, label: strategyLabels[value].label }))}
        error={errorAt("strategy")}
        onChange={setStrategy}
      />
      <p className="muted">{strategyLabels[strategy].description}</p>
      {needsCoordinator ? (
        <SelectField
          label={strategy === "selector" ? "Selector (picks who speaks next)" : "Manager"}
          name="coordinatorAgentId"
          value={coordinatorAgentId}
          options={agentOptions}
          error={errorAt("coordinatorAgentId")}
          onChange={setCoordinatorAgentId}
        />
      ) : null}
      <fieldset className="field">
        <legend>Members, in order</legend>
        {members.map((member, index) => (
          <div key={member.key} className={styles.memberRow} data-testid="member-row">
            <SelectField
              label={`Member ${index + 1}`}
              name={`members.${index}.agentId`}
              value={member.agentId}
              options={agentOptions}
              error={errorAt(`members.${index}.agentId`)}
              onChange={(agentId) => setMembers((current) => current.map((entry, at) => (at === index ? { ...entry, agentId } : entry)))}
            />
            <TextField
              label={`Role of member ${index + 1} in this circle`}
              name={`members.${index}.role`}
              value={member.role}
              error={errorAt(`members.${index}.role`)}
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
        <InlineError message={errorAt("members")} />
      </fieldset>
      <fieldset className="field">
        <legend>Termination and budgets</legend>
        <div className={styles.grid}>
          <TextField
            label="Max turns"
            name="termination.maxTurns"
            error={errorAt("termination.maxTurns") ?? errorAt("termination")}
            type="number"
            min={1}
            max={500}
            value={maxTurns}
            onChange={(event) => setMaxTurns(event.target.value)}
          />
          <TextField
            label="Token budget (optional)"
            name="termination.maxTokens"
            error={errorAt("termination.maxTokens")}
            type="number"
            min={1}
            value={maxTokens}
            onChange={(event) => setMaxTokens(event.target.value)}
          />
          <TextField
            label="Cost budget in USD (optional)"
            name="termination.maxCostUsd"
            error={errorAt("termination.maxCostMicros")}
            type="number"
            min={0}
            step="0.01"
            value={maxCostUsd}
            onChange={(event) => setMaxCostUsd(event.target.value)}
          />
          <TextField
            label="Time limit in seconds (optional)"
            name="termination.timeoutSeconds"
            error={errorAt("termination.timeoutSeconds")}
            type="number"
            min={1}
            value={timeoutSeconds}
            onChange={(event) => setTimeoutSeconds(event.target.value)}
          />
          <TextField
            label="Completion phrase (optional)"
            name="termination.completionPhrase"
            error={errorAt("termination.completionPhrase")}
            value={completionPhrase}
            maxLength={200}
            onChange={(event) => setCompletionPhrase(event.target.value)}
          />
        </div>
      </fieldset>
      <InlineError message={formMessage} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={isPending}>
          {isPending ? "Saving…" : circle ? "Save changes" : "Create circle"}
        </button>
      </div>
    </form>
  );
}
