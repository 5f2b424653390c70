"use client";
/**
 * The create/edit form of a schedule: name, the cron expression with presets and a plain-language
 * reading, the time zone, the next fire times from `schedules.preview` as the expression is typed
 * (its refusal is the expression's field error), the action, and the overlap and catch-up policies.
 * The API validates on its zod schema; its field errors show next to their fields.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useMemo, useState } from "react";
import type { AccountProject } from "~/components/current-project";
import { InlineError } from "~/components/feedback";
import { SelectField, TextField } from "~/components/field";
import { useSettledValue } from "~/components/ui/paged-table";
import { toast } from "~/components/ui/toast";
import { type ApiError, errorMessage, fieldErrorsOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { ActionEditor, actionOfDraft, draftOfAction } from "./action-editor";
import styles from "./schedules.module.css";
import {
  browserTimeZone,
  type CatchUpPolicy,
  catchUpLabels,
  cronPresets,
  describeCron,
  formatInZone,
  type OverlapPolicy,
  overlapLabels,
  type Schedule,
  timeZoneNames,
} from "./shared";

const PREVIEW_COUNT = 5;
const PREVIEW_DELAY_MS = 300;

/** The field an AppError names in its details ("cron", "timezone", "action.pipelineId"). */
function detailsFieldOf(error: ApiError | null): string | null {
  const details = error?.data?.details as { field?: unknown } | null | undefined;
  return typeof details?.field === "string" ? details.field : null;
}

export function ScheduleForm({ project, schedule }: { project: AccountProject; schedule: Schedule | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const cronId = useId();
  const timezoneId = useId();
  const timezoneListId = useId();
  const descriptionId = useId();
  const [name, setName] = useState(schedule?.name ?? "");
  const [description, setDescription] = useState(schedule?.description ?? "");
  const [cron, setCron] = useState(schedule?.cron ?? "0 9 * * 1-5");
  const [timezone, setTimezone] = useState(() => schedule?.timezone ?? browserTimeZone());
  const [overlapPolicy, setOverlapPolicy] = useState<OverlapPolicy>(schedule?.overlapPolicy ?? "skip");
  const [catchUpPolicy, setCatchUpPolicy] = useState<CatchUpPolicy>(schedule?.catchUpPolicy ?? "skip");
  const [catchUpLimit, setCatchUpLimit] = useState(String(schedule?.catchUpLimit ?? 10));
  const [isPaused, setIsPaused] = useState(false);
  const [action, setAction] = useState(() => draftOfAction(schedule?.action ?? null));
  const [draftProblem, setDraftProblem] = useState<string | null>(null);
  const zones = useMemo(() => timeZoneNames(), []);

  const settled = useSettledValue({ cron: cron.trim(), timezone: timezone.trim() }, PREVIEW_DELAY_MS);
  const preview = useQuery({
    ...trpc.schedules.preview.queryOptions({
      projectId: project.id,
      cron: settled.cron,
      timezone: settled.timezone || "UTC",
      count: PREVIEW_COUNT,
    }),
    enabled: settled.cron !== "",
    retry: false,
    placeholderData: (previous) => previous,
  });
  const pipeline = useQuery({
    ...trpc.pipelines.get.queryOptions({ projectId: project.id, pipelineId: action.pipelineId }),
    enabled: action.kind === "execute_pipeline" && action.pipelineId !== "",
  });
  const declaredInputs = action.kind === "execute_pipeline" && action.pipelineId ? pipeline.data?.definition.inputs : undefined;

  const onSaved = async (saved: Schedule & { webhookSecret: string | null }, verb: string) => {
    toast.success(`${verb} “${saved.name}”${saved.webhookSecret ? ": copy the webhook secret from its page" : ""}`);
    await queryClient.invalidateQueries({ queryKey: trpc.schedules.list.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.schedules.get.queryKey() });
  };
  const create = useMutation(
    trpc.schedules.create.mutationOptions({
      onSuccess: async (saved) => {
        await onSaved(saved, "Created");
        router.push(`/schedules/${saved.id}`);
      },
    }),
  );
  const update = useMutation(trpc.schedules.update.mutationOptions({ onSuccess: (saved) => onSaved(saved, "Saved") }));
  const saveError = (schedule ? update.error : create.error) ?? null;
  const isSaving = create.isPending || update.isPending;
  const fieldErrors = fieldErrorsOf(saveError);
  const errorField = detailsFieldOf(saveError);
  const errorFor = (field: string) => fieldErrors[field] ?? (errorField === field ? errorMessage(saveError) : undefined);
  // The preview refuses a bad expression or zone as the user types; that is the field's error then.
  const previewField = detailsFieldOf(preview.error);
  const previewCronError =
    preview.isError && previewField !== "timezone" && settled.cron === cron.trim() ? errorMessage(preview.error) : undefined;
  const previewZoneError = preview.isError && previewField === "timezone" ? errorMessage(preview.error) : undefined;
  const cronError = previewCronError ?? errorFor("cron");
  const timezoneError = previewZoneError ?? errorFor("timezone");
  const actionError = draftProblem ?? fieldErrors.action ?? (errorField?.startsWith("action") ? errorMessage(saveError) : undefined);
  const shownFields = ["name", "description", "cron", "timezone", "action", "overlapPolicy", "catchUpPolicy", "catchUpLimit"];
  const formError =
    saveError && !errorField && !Object.keys(fieldErrors).some((field) => shownFields.includes(field))
      ? errorMessage(saveError)
      : saveError && errorField && !["cron", "timezone"].includes(errorField) && !errorField.startsWith("action")
        ? errorMessage(saveError)
        : null;
  const reading = describeCron(cron);

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const built = actionOfDraft(action, declaredInputs);
    if (built.problem) {
      setDraftProblem(built.problem);
      return;
    }
    setDraftProblem(null);
    const limit = Number(catchUpLimit);
    const values = {
      projectId: project.id,
      name,
      description,
      cron: cron.trim(),
      timezone: timezone.trim(),
      // The API parses the action on its own zod schema; the draft only assembles it.
      action: built.action as Schedule["action"],
      overlapPolicy,
      catchUpPolicy,
      catchUpLimit: Number.isInteger(limit) ? limit : 0,
    };
    if (schedule) update.mutate({ ...values, scheduleId: schedule.id });
    else create.mutate({ ...values, isPaused });
  }

  return (
    <form onSubmit={handleSubmit} noValidate aria-label={schedule ? "Edit schedule" : "New schedule"} className={styles.form}>
      <div className={styles.formColumns}>
        <div className={styles.formMain}>
          <TextField
            label="Name"
            value={name}
            maxLength={120}
            required
            error={errorFor("name")}
            onChange={(event) => setName(event.target.value)}
          />
          <div className="field">
            <label htmlFor={descriptionId}>Description (optional)</label>
            <textarea
              id={descriptionId}
              className={styles.textarea}
              rows={2}
              maxLength={2_000}
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          </div>
          <fieldset className={styles.fieldset}>
            <legend>When</legend>
            <fieldset className={styles.presets} aria-label="Cron presets">
              {cronPresets.map((preset) => (
                <button
                  key={preset.cron}
                  type="button"
                  className={`button button-small ${cron.trim() === preset.cron ? "button-secondary" : "button-ghost"}`}
                  aria-pressed={cron.trim() === preset.cron}
                  onClick={() => setCron(preset.cron)}
                >
                  {preset.label}
                </button>
              ))}
            </fieldset>
            <div className={styles.twoColumns}>
              <div className="field">
                <label htmlFor={cronId}>Cron expression</label>
                <input
                  id={cronId}
                  className="mono"
                  value={cron}
                  maxLength={200}
                  spellCheck={false}
                  autoComplete="off"
                  aria-invalid={cronError ? true : undefined}
                  aria-describedby={`${cronId}-hint${cronError ? ` ${cronId}-error` : ""}`}
                  onChange={(event) => setCron(event.target.value)}
                />
                <p id={`${cronId}-hint`} className="field-hint" data-testid="cron-reading">
                  {cronError ? "minute hour day-of-month month day-of-week" : (reading ?? "minute hour day-of-month month day-of-week")}
                </p>
                {cronError ? (
                  <p id={`${cronId}-error`} className="field-error" data-testid="cron-error">
                    {cronError}
                  </p>
                ) : null}
              </div>
              <div className="field">
                <label htmlFor={timezoneId}>Time zone</label>
                <input
                  id={timezoneId}
                  list={timezoneListId}
                  value={timezone}
                  maxLength={64}
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={timezoneError ? true : undefined}
                  aria-describedby={timezoneError ? `${timezoneId}-error` : `${timezoneId}-hint`}
                  onChange={(event) => setTimezone(event.target.value)}
                />
                <datalist id={timezoneListId}>
                  {zones.map((zone) => (
                    <option key={zone} value={zone} />
                  ))}
                </datalist>
                {timezoneError ? (
                  <p id={`${timezoneId}-error`} className="field-error">
                    {timezoneError}
                  </p>
                ) : (
                  <p id={`${timezoneId}-hint`} className="field-hint">
                    An IANA name; daylight saving time is handled.
                  </p>
                )}
              </div>
            </div>
          </fieldset>
          <ActionEditor project={project} draft={action} onChange={setAction} error={actionError} declaredInputs={declaredInputs} />
          <fieldset className={styles.fieldset}>
            <legend>Policies</legend>
            <div className={styles.twoColumns}>
              <SelectField
                label="Overlap"
                value={overlapPolicy}
                options={(Object.keys(overlapLabels) as OverlapPolicy[]).map((value) => ({ value, label: overlapLabels[value] }))}
                onChange={setOverlapPolicy}
                error={errorFor("overlapPolicy")}
              />
              <SelectField
                label="After downtime"
                value={catchUpPolicy}
                options={(Object.keys(catchUpLabels) as CatchUpPolicy[]).map((value) => ({ value, label: catchUpLabels[value] }))}
                onChange={setCatchUpPolicy}
                error={errorFor("catchUpPolicy")}
              />
            </div>
            {catchUpPolicy === "all" ? (
              <TextField
                label="Catch up at most"
                type="number"
                min={1}
                max={100}
                value={catchUpLimit}
                hint="The newest missed times, 1 to 100."
                error={errorFor("catchUpLimit")}
                onChange={(event) => setCatchUpLimit(event.target.value)}
              />
            ) : null}
            {schedule ? null : (
              <label className={styles.checkbox}>
                <input type="checkbox" checked={isPaused} onChange={(event) => setIsPaused(event.target.checked)} />
                Create it paused
              </label>
            )}
          </fieldset>
        </div>
        <aside className={`panel ${styles.previewPanel}`} aria-labelledby="preview-heading">
          <h2 id="preview-heading">Next fire times</h2>
          {settled.cron === "" ? (
            <p className="muted">Enter a cron expression to see when it fires.</p>
          ) : preview.isError ? (
            <p className="muted">No preview until the expression and time zone are valid.</p>
          ) : preview.isPending ? (
            <p className="muted" aria-busy="true">
              Working it out…
            </p>
          ) : preview.data.times.length === 0 ? (
            <p className="muted">This expression never fires.</p>
          ) : (
            <ol className={styles.previewList} aria-label="Next fire times" aria-live="polite" data-testid="cron-preview">
              {preview.data.times.map((time) => (
                <li key={time.toISOString()}>
                  <span>{formatInZone(time, settled.timezone || "UTC")}</span>
                  <span className="muted mono">{time.toISOString().replace(".000Z", "Z")}</span>
                </li>
              ))}
            </ol>
          )}
        </aside>
      </div>
      <InlineError message={formError} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={isSaving}>
          {isSaving ? "Saving…" : schedule ? "Save changes" : "Create schedule"}
        </button>
        <button type="button" className="button button-ghost" onClick={() => router.push("/schedules")}>
          Cancel
        </button>
      </div>
    </form>
  );
}
