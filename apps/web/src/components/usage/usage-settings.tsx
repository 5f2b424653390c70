"use client";
/**
 * "Budgets and prices": the project's daily limits (tokens, US dollars) and its price overrides per
 * `provider:model`, saved together with usage.updateSettings. Admins edit; everyone else reads. The
 * numbers are checked here first (prices with core's own ZModelPrice), and what only the server
 * checks comes back as the API's field errors, shown next to the group they belong to.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { AccountProject } from "~/components/current-project";
import { ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { TextField } from "~/components/field";
import { hasRole } from "~/components/format";
import { fieldErrorsOf, formErrorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import {
  formatTokens,
  formatUsd,
  type ModelPrice,
  modelProviders,
  type UsageRow,
  type UsageSettings,
  utcDayOf,
  ZModelPrice,
} from "./shared";
import styles from "./usage.module.css";

interface PriceDraft {
  key: number;
  model: string;
  inputPerMTok: string;
  outputPerMTok: string;
}

interface SettingsDraft {
  perDayTokens: string;
  perDayUsd: string;
  prices: PriceDraft[];
}

type FieldErrors = Record<string, string>;

let nextRowKey = 1;
function newPriceDraft(model = "", price?: ModelPrice): PriceDraft {
  nextRowKey += 1;
  return {
    key: nextRowKey,
    model,
    inputPerMTok: price ? String(price.inputPerMTok) : "",
    outputPerMTok: price ? String(price.outputPerMTok) : "",
  };
}

function draftOf(settings: UsageSettings): SettingsDraft {
  const text = (value: number | undefined) => (value === undefined ? "" : String(value));
  return {
    perDayTokens: text(settings.budgets.perDayTokens),
    perDayUsd: text(settings.budgets.perDayUsd),
    prices: Object.entries(settings.pricing).map(([model, price]) => newPriceDraft(model, price)),
  };
}

const modelKeyPattern = new RegExp(`^(${modelProviders.join("|")}):[A-Za-z0-9][A-Za-z0-9._:/@+-]*$`);

/** The draft as the API takes it, or the errors by field (`budgets.perDayTokens`, `price.<row>.model`, …). */
function toSettings(draft: SettingsDraft) {
  const errors: FieldErrors = {};
  const numberAt = (path: string, value: string, { isWhole = false } = {}): number | undefined => {
    // Thousands separators are fine in a whole number ("1,000,000"); in a price a comma could be a decimal one.
    const trimmed = isWhole ? value.replace(/[\s,_]/g, "") : value.trim();
    if (trimmed === "") return undefined;
    const parsed = Number(trimmed);
    if (!Number.isFinite(parsed)) errors[path] = "Enter a number";
    else if (isWhole && !Number.isInteger(parsed)) errors[path] = "Enter a whole number";
    return parsed;
  };

  const perDayTokens = numberAt("budgets.perDayTokens", draft.perDayTokens, { isWhole: true });
  if (perDayTokens !== undefined && perDayTokens < 1 && !errors["budgets.perDayTokens"])
    errors["budgets.perDayTokens"] = "At least 1 token, or empty for no limit";
  const perDayUsd = numberAt("budgets.perDayUsd", draft.perDayUsd);
  if (perDayUsd !== undefined && perDayUsd < 0 && !errors["budgets.perDayUsd"]) errors["budgets.perDayUsd"] = "Cannot be negative";

  const pricing: Record<string, ModelPrice> = {};
  for (const row of draft.prices) {
    const model = row.model.trim();
    const at = (field: string) => `price.${row.key}.${field}`;
    if (model === "") errors[at("model")] = "Name the model as provider:model";
    else if (!modelKeyPattern.test(model)) errors[at("model")] = `Use provider:model, with one of ${modelProviders.join(", ")}`;
    else if (Object.hasOwn(pricing, model)) errors[at("model")] = "This model is priced twice";
    const inputPerMTok = numberAt(at("inputPerMTok"), row.inputPerMTok);
    const outputPerMTok = numberAt(at("outputPerMTok"), row.outputPerMTok);
    if (inputPerMTok === undefined) errors[at("inputPerMTok")] ??= "Enter a price";
    if (outputPerMTok === undefined) errors[at("outputPerMTok")] ??= "Enter a price";
    const price = ZModelPrice.safeParse({ inputPerMTok, outputPerMTok });
    if (!price.success) {
      for (const issue of price.error.issues) errors[at(String(issue.path[0]))] ??= issue.message;
    } else if (!errors[at("model")]) pricing[model] = price.data;
  }

  const budgets = {
    ...(perDayTokens !== undefined ? { perDayTokens } : {}),
    ...(perDayUsd !== undefined ? { perDayUsd } : {}),
  };
  return Object.keys(errors).length > 0 ? { errors, settings: null } : { errors, settings: { budgets, pricing } };
}

export function UsageSettingsSection({ project, usageRows }: { project: AccountProject; usageRows: UsageRow[] }) {
  const trpc = useTRPC();
  // Not refetched behind the editor's back: the form starts from what was loaded.
  const settings = useQuery(trpc.usage.settings.queryOptions({ projectId: project.id }, { refetchOnWindowFocus: false }));
  const canEdit = hasRole(project.role, "admin");
  const today = utcDayOf(new Date());
  const usedToday = usageRows
    .filter((row) => row.day === today)
    .reduce((sum, row) => ({ tokens: sum.tokens + row.inputTokens + row.outputTokens, costMicros: sum.costMicros + row.costMicros }), {
      tokens: 0,
      costMicros: 0,
    });

  return (
    <section className="section panel" aria-labelledby="budgets-heading">
      <h2 id="budgets-heading">Budgets and prices</h2>
      <p className="muted">
        The daily budgets cover every agent of the project and renew at midnight UTC; a call that would go over is refused with a clear
        error.
      </p>
      {canEdit || settings.isError ? null : (
        <p className="callout callout-info">You can read the budgets and prices; only admins and owners can change them.</p>
      )}
      {settings.isPending ? (
        <LoadingState label="Loading budgets and prices…" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => settings.refetch()} />
      ) : (
        <UsageSettingsForm project={project} settings={settings.data} canEdit={canEdit} usedToday={usedToday} />
      )}
    </section>
  );
}

function UsageSettingsForm({
  project,
  settings,
  canEdit,
  usedToday,
}: {
  project: AccountProject;
  settings: UsageSettings;
  canEdit: boolean;
  usedToday: { tokens: number; costMicros: number };
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(settings));
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const [isSaved, setIsSaved] = useState(false);
  const update = useMutation(
    trpc.usage.updateSettings.mutationOptions({
      onSuccess: (saved) => {
        queryClient.setQueryData(trpc.usage.settings.queryKey({ projectId: project.id }), saved);
        setIsSaved(true);
      },
    }),
  );
  const serverErrors = fieldErrorsOf(update.error);
  const errorAt = (path: string) => clientErrors[path];

  function change(patch: Partial<SettingsDraft>) {
    setDraft((current) => ({ ...current, ...patch }));
    setIsSaved(false);
  }

  function changePrice(key: number, patch: Partial<PriceDraft>) {
    change({ prices: draft.prices.map((row) => (row.key === key ? { ...row, ...patch } : row)) });
  }

  function addPrice(model = "", price?: ModelPrice) {
    change({ prices: [...draft.prices, newPriceDraft(model, price)] });
  }

  function removePrice(key: number) {
    change({ prices: draft.prices.filter((row) => row.key !== key) });
    // The row's errors go with it.
    setClientErrors((errors) => Object.fromEntries(Object.entries(errors).filter(([path]) => !path.startsWith(`price.${key}.`))));
  }

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setIsSaved(false);
    update.reset();
    const { errors, settings: next } = toSettings(draft);
    setClientErrors(errors);
    if (!next) {
      // Take the keyboard to the first field to fix.
      requestAnimationFrame(() => document.querySelector<HTMLElement>("#budgets-form [aria-invalid='true']")?.focus());
      return;
    }
    update.mutate({ projectId: project.id, ...next });
  }

  const overridden = new Set(draft.prices.map((row) => row.model.trim()));
  const defaultPrices = Object.entries(settings.defaultPrices);

  return (
    <form id="budgets-form" onSubmit={handleSubmit} noValidate aria-label="Budgets and prices">
      <fieldset className={styles.fieldset} disabled={!canEdit}>
        <legend>Daily budget of the project</legend>
        <p className="muted">Leave empty for no limit. Agents can have tighter budgets of their own.</p>
        <div className="form-grid">
          <TextField
            label="Tokens per day"
            inputMode="numeric"
            autoComplete="off"
            placeholder="No limit"
            hint={`Used today: ${formatTokens(usedToday.tokens)} tokens.`}
            value={draft.perDayTokens}
            onChange={(event) => change({ perDayTokens: event.target.value })}
            error={errorAt("budgets.perDayTokens")}
          />
          <TextField
            label="US dollars per day"
            inputMode="decimal"
            autoComplete="off"
            placeholder="No limit"
            hint={`Used today: ${formatUsd(usedToday.costMicros)}.`}
            value={draft.perDayUsd}
            onChange={(event) => change({ perDayUsd: event.target.value })}
            error={errorAt("budgets.perDayUsd")}
          />
        </div>
        <InlineError message={serverErrors.budgets} />
      </fieldset>

      <fieldset className={styles.fieldset} disabled={!canEdit}>
        <legend>Price overrides</legend>
        <p className="muted">
          US dollars per million tokens, for a model the defaults below do not know or price differently (a negotiated rate). A dated model
          name takes the price of its longest known prefix.
        </p>
        {draft.prices.length === 0 ? <p className={styles.noRows}>No overrides: the default prices apply.</p> : null}
        <div className={styles.rows}>
          {draft.prices.map((row, index) => {
            const fallback = settings.defaultPrices[row.model.trim()];
            return (
              <div className={styles.row} key={row.key} data-testid="price-override">
                <TextField
                  label={`Model ${index + 1}`}
                  className={styles.modelField}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="provider:model, e.g. openai:gpt-5"
                  hint={fallback ? `Default: $${fallback.inputPerMTok} in / $${fallback.outputPerMTok} out` : undefined}
                  value={row.model}
                  onChange={(event) => changePrice(row.key, { model: event.target.value })}
                  error={errorAt(`price.${row.key}.model`)}
                />
                <TextField
                  label={`Input price ${index + 1}`}
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder="$ / M tokens"
                  value={row.inputPerMTok}
                  onChange={(event) => changePrice(row.key, { inputPerMTok: event.target.value })}
                  error={errorAt(`price.${row.key}.inputPerMTok`)}
                />
                <TextField
                  label={`Output price ${index + 1}`}
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder="$ / M tokens"
                  value={row.outputPerMTok}
                  onChange={(event) => changePrice(row.key, { outputPerMTok: event.target.value })}
                  error={errorAt(`price.${row.key}.outputPerMTok`)}
                />
                <button
                  type="button"
                  className="button button-ghost"
                  aria-label={`Remove the price of ${row.model.trim() || `model ${index + 1}`}`}
                  onClick={() => removePrice(row.key)}
                >
                  Remove
                </button>
              </div>
            );
          })}
        </div>
        <InlineError message={serverErrors.pricing} />
        <button type="button" className="button button-secondary" disabled={draft.prices.length >= 100} onClick={() => addPrice()}>
          Add a price
        </button>
      </fieldset>

      <InlineError
        message={
          formErrorMessage(update.error, ["budgets", "pricing"]) ??
          (Object.keys(clientErrors).length > 0 ? "Fix the fields marked above." : null)
        }
      />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={!canEdit || update.isPending}>
          {update.isPending ? "Saving…" : "Save budgets and prices"}
        </button>
        <p className="save-status" role="status">
          {isSaved ? "Budgets and prices saved." : ""}
        </p>
      </div>

      <details className={styles.defaults}>
        <summary>Default prices (US dollars per million tokens)</summary>
        <p className="muted">Offline (local) and Ollama models are free. Models not listed count as free until priced above.</p>
        <div className="table-wrap">
          <table className="table" aria-label="Default prices">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" className={styles.numeric}>
                  Input
                </th>
                <th scope="col" className={styles.numeric}>
                  Output
                </th>
                {canEdit ? (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {defaultPrices.map(([model, price]) => (
                <tr key={model}>
                  <th scope="row" className="mono">
                    {model}
                  </th>
                  <td className={styles.numeric}>${price.inputPerMTok}</td>
                  <td className={styles.numeric}>${price.outputPerMTok}</td>
                  {canEdit ? (
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="button button-ghost button-small"
                        aria-label={`Override the price of ${model}`}
                        disabled={overridden.has(model)}
                        onClick={() => addPrice(model, price)}
                      >
                        {overridden.has(model) ? "Overridden" : "Override"}
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </form>
  );
}
