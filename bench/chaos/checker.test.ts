/** The checker's verdicts on hand-made histories: it must see a lost and a doubled unit, not only pass. */
import { describe, expect, it } from "vitest";
import { classify, type Submission, summarize, type UnitObservation } from "./checker";

const slots = ["n1", "n2"];
const acknowledged: Submission = { kind: "pipeline", ticket: "t-1", id: "run-1", submittedAt: 0 };
const unanswered: Submission = { kind: "pipeline", ticket: "t-2", submittedAt: 0 };
const observed = (keys: Record<string, Array<string | null>>, status = "succeeded"): UnitObservation => ({
  kind: "pipeline",
  ticket: "t-1",
  row: { id: "run-1", status, isSucceeded: status === "succeeded" },
  slots: Object.entries(keys).map(([slot, list]) => ({ slot, keys: list })),
});

describe("checker", () => {
  it("counts a unit whose every effect was applied once as done once, retries with the same key as redeliveries", () => {
    const verdict = classify(acknowledged, observed({ n1: ["run-1:n1"], n2: ["run-1:n2", "run-1:n2"] }), slots);
    expect(verdict).toMatchObject({ verdict: "done-once", redeliveries: 1 });
  });

  it("calls a unit lost when it is missing, unfinished, or short of an effect", () => {
    expect(classify(acknowledged, undefined, slots).verdict).toBe("lost");
    expect(classify(acknowledged, observed({ n1: ["run-1:n1"], n2: ["run-1:n2"] }, "running"), slots)).toMatchObject({
      verdict: "lost",
      reason: "ended running",
    });
    expect(classify(acknowledged, observed({ n1: ["run-1:n1"] }), slots)).toMatchObject({ verdict: "lost", reason: "no effect for n2" });
  });

  it("calls a unit duplicated when an effect was applied twice under different keys, or without one", () => {
    expect(classify(acknowledged, observed({ n1: ["run-1:n1", "run-1:n1:2"], n2: ["run-1:n2"] }), slots).verdict).toBe("duplicated");
    expect(classify(acknowledged, observed({ n1: [null, null], n2: ["run-1:n2"] }), slots).verdict).toBe("duplicated");
    expect(classify(acknowledged, observed({ n1: ["a"], n2: ["b"], "second run run-9": ["run-9"] }), slots).verdict).toBe("duplicated");
  });

  it("lets an unanswered submission not happen at all, but not happen halfway", () => {
    expect(classify(unanswered, undefined, slots).verdict).toBe("not-started");
    expect(classify(unanswered, { kind: "pipeline", ticket: "t-2", slots: [{ slot: "n1", keys: ["x:n1"] }] }, slots).verdict).toBe("lost");
  });

  it("sums verdicts per kind", () => {
    const verdicts = [
      classify(acknowledged, observed({ n1: ["k1"], n2: ["k2"] }), slots),
      classify(acknowledged, undefined, slots),
      classify(unanswered, undefined, slots),
    ];
    expect(summarize(verdicts, [acknowledged, acknowledged, unanswered])).toMatchObject({
      submitted: 3,
      acknowledged: 2,
      indeterminate: 1,
      doneOnce: 1,
      lost: 1,
      duplicated: 0,
      notStarted: 1,
      byKind: { pipeline: { doneOnce: 1, lost: 1, duplicated: 0 } },
    });
  });
});
