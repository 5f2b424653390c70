/**
 * The checker, in the spirit of Jepsen's queue checker: every unit of work the system accepted (a
 * pipeline run, a circle run, a schedule fire) is classified from what the outside world saw (the
 * effect receiver's requests) and what the database says, as done once, lost or duplicated.
 *
 * A unit is known by a ticket the client made before submitting, carried into its effects, so a unit
 * whose acknowledgement was lost (the web instance died mid-request) is still found and checked:
 * - acknowledged: the API answered with the unit's id; it must be done exactly once;
 * - indeterminate: the request failed without an answer; if the unit exists it must be done once,
 *   if it does not, nothing of it may have happened (no effect may carry its ticket).
 * An effect is applied once per distinct Idempotency-Key (what a receiver honouring the header does),
 * and once per request that carries none. Requests repeating a key are counted as redeliveries: the
 * retries the idempotency key absorbed.
 */

export type UnitKind = "pipeline" | "circle" | "fire";

export interface Submission {
  kind: UnitKind;
  ticket: string;
  /** The id the API answered with; undefined when no answer came (indeterminate). */
  id?: string;
  submittedAt: number;
}

/** One slot where exactly one effect is expected: a pipeline node's call, a fire's call, a circle turn. */
export interface EffectSlot {
  slot: string;
  /** Idempotency keys of the requests (or turn rows) seen for this slot, null for a request without one. */
  keys: Array<string | null>;
}

export interface UnitObservation {
  kind: UnitKind;
  ticket: string;
  /** The unit's row, if the database has it. */
  row?: { id: string; status: string; isSucceeded: boolean };
  slots: EffectSlot[];
}

export type Verdict = "done-once" | "lost" | "duplicated" | "not-started";

export interface UnitVerdict {
  kind: UnitKind;
  ticket: string;
  id?: string;
  verdict: Verdict;
  reason?: string;
  redeliveries: number;
}

export interface CheckSummary {
  submitted: number;
  acknowledged: number;
  indeterminate: number;
  doneOnce: number;
  lost: number;
  duplicated: number;
  /** Indeterminate submissions that never took effect (allowed: the client was never told yes). */
  notStarted: number;
  /** Requests that repeated a key already applied: retries after a kill, absorbed by the key. */
  redeliveries: number;
  byKind: Record<UnitKind, { doneOnce: number; lost: number; duplicated: number }>;
  /** The first few units that were lost or duplicated, with why. */
  failures: UnitVerdict[];
}

function appliedCount(keys: Array<string | null>): number {
  const distinct = new Set(keys.filter((key): key is string => key !== null));
  return distinct.size + keys.filter((key) => key === null).length;
}

export function classify(submission: Submission, observation: UnitObservation | undefined, expectedSlots: readonly string[]): UnitVerdict {
  const base = { kind: submission.kind, ticket: submission.ticket, ...(submission.id ? { id: submission.id } : {}) };
  const slots = new Map((observation?.slots ?? []).map((slot) => [slot.slot, slot.keys]));
  const redeliveries = [...slots.values()].reduce((sum, keys) => sum + keys.length - appliedCount(keys), 0);
  const unexpected = [...slots.keys()].filter((slot) => !expectedSlots.includes(slot) && (slots.get(slot)?.length ?? 0) > 0);
  const doubled = expectedSlots.filter((slot) => appliedCount(slots.get(slot) ?? []) > 1);
  if (doubled.length > 0 || unexpected.length > 0) {
    return { ...base, verdict: "duplicated", reason: `applied more than once: ${[...doubled, ...unexpected].join(", ")}`, redeliveries };
  }
  if (!observation?.row) {
    const anyEffect = [...slots.values()].some((keys) => keys.length > 0);
    if (submission.id) return { ...base, verdict: "lost", reason: "acknowledged but not in the database", redeliveries };
    if (anyEffect) return { ...base, verdict: "lost", reason: "effects of a unit the database does not have", redeliveries };
    return { ...base, verdict: "not-started", redeliveries };
  }
  if (submission.id && observation.row.id !== submission.id) {
    return { ...base, verdict: "duplicated", reason: `the ticket belongs to ${observation.row.id}, not ${submission.id}`, redeliveries };
  }
  if (!observation.row.isSucceeded) {
    return { ...base, verdict: "lost", reason: `ended ${observation.row.status}`, redeliveries };
  }
  const missing = expectedSlots.filter((slot) => appliedCount(slots.get(slot) ?? []) === 0);
  if (missing.length > 0) return { ...base, verdict: "lost", reason: `no effect for ${missing.join(", ")}`, redeliveries };
  return { ...base, verdict: "done-once", redeliveries };
}

export function summarize(verdicts: UnitVerdict[], submissions: Submission[]): CheckSummary {
  const byKind: CheckSummary["byKind"] = {
    pipeline: { doneOnce: 0, lost: 0, duplicated: 0 },
    circle: { doneOnce: 0, lost: 0, duplicated: 0 },
    fire: { doneOnce: 0, lost: 0, duplicated: 0 },
  };
  for (const verdict of verdicts) {
    const counts = byKind[verdict.kind];
    if (verdict.verdict === "done-once") counts.doneOnce += 1;
    if (verdict.verdict === "lost") counts.lost += 1;
    if (verdict.verdict === "duplicated") counts.duplicated += 1;
  }
  const count = (verdict: Verdict) => verdicts.filter((item) => item.verdict === verdict).length;
  return {
    submitted: submissions.length,
    acknowledged: submissions.filter((submission) => submission.id).length,
    indeterminate: submissions.filter((submission) => !submission.id).length,
    doneOnce: count("done-once"),
    lost: count("lost"),
    duplicated: count("duplicated"),
    notStarted: count("not-started"),
    redeliveries: verdicts.reduce((sum, verdict) => sum + verdict.redeliveries, 0),
    byKind,
    failures: verdicts.filter((verdict) => verdict.verdict === "lost" || verdict.verdict === "duplicated").slice(0, 20),
  };
}
