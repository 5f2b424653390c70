/**
 * Cron math: 5 fields only, IANA zones only, and the two DST transitions of Europe/Berlin for a daily
 * 02:30: in spring the local hour 02:00-03:00 does not exist (the fire happens once, at 03:00 CEST);
 * in autumn it happens twice (the fire happens once, at the first 02:30, CEST).
 */
import { describe, expect, it } from "vitest";
import { isAppError } from "../errors";
import { compileCron, dueFireTimes, nextFireTimes } from "./cron";
import { previewFireTimes } from "./schedules";
import { planFireTimes } from "./tick";

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return `${error.code}:${String(error.details?.field)}`;
    throw error;
  }
  return "ok";
}

describe("DST in Europe/Berlin for 30 2 * * *", () => {
  const cron = compileCron("30 2 * * *", "Europe/Berlin");

  it("fires once on the spring day whose 02:30 does not exist, at the first valid minute", () => {
    const times = nextFireTimes(cron, new Date("2025-03-28T12:00:00Z"), 4);
    // 29 Mar 02:30 CET = 01:30Z; 30 Mar: no 02:30, 03:00 CEST = 01:00Z; 31 Mar 02:30 CEST = 00:30Z.
    expect(iso(times)).toEqual([
      "2025-03-29T01:30:00.000Z",
      "2025-03-30T01:00:00.000Z",
      "2025-03-31T00:30:00.000Z",
      "2025-04-01T00:30:00.000Z",
    ]);
    const onTheDay = times.filter((time) => time.toISOString().startsWith("2025-03-30"));
    expect(onTheDay).toHaveLength(1);
  });

  it("fires once on the autumn day whose 02:30 happens twice", () => {
    const times = nextFireTimes(cron, new Date("2025-10-25T12:00:00Z"), 3);
    // 26 Oct: 02:30 CEST = 00:30Z (and not again at 02:30 CET = 01:30Z); 27 Oct 02:30 CET = 01:30Z.
    expect(iso(times)).toEqual(["2025-10-26T00:30:00.000Z", "2025-10-27T01:30:00.000Z", "2025-10-28T01:30:00.000Z"]);
  });

  it("finds the same times looking back (what the tick uses after downtime)", () => {
    const back = dueFireTimes(cron, new Date("2025-03-28T00:00:00Z"), new Date("2025-04-01T00:30:00Z"), 10);
    expect(iso(back)).toEqual([
      "2025-03-28T01:30:00.000Z",
      "2025-03-29T01:30:00.000Z",
      "2025-03-30T01:00:00.000Z",
      "2025-03-31T00:30:00.000Z",
      "2025-04-01T00:30:00.000Z",
    ]);
    const autumn = dueFireTimes(cron, new Date("2025-10-25T12:00:00Z"), new Date("2025-10-27T12:00:00Z"), 10);
    expect(iso(autumn)).toEqual(["2025-10-26T00:30:00.000Z", "2025-10-27T01:30:00.000Z"]);
  });

  it("a tick running through the night of each transition fires each day exactly once", () => {
    for (const [from, until] of [
      ["2025-03-29T23:00:00Z", "2025-03-30T03:00:00Z"],
      ["2025-10-25T22:00:00Z", "2025-10-26T03:00:00Z"],
    ] as const) {
      // A tick every minute through the night, each advancing next_fire_at like the real one.
      let next = cron.nextRun(new Date(from));
      const fired: string[] = [];
      for (let now = new Date(from).getTime(); now <= new Date(until).getTime(); now += 60_000) {
        const row = { nextFireAt: next, cron: "30 2 * * *", timezone: "Europe/Berlin", catchUpPolicy: "skip", catchUpLimit: 10 };
        const planned = planFireTimes(row as Parameters<typeof planFireTimes>[0], new Date(now), 60_000);
        fired.push(...planned.map((plan) => plan.fireAt.toISOString()));
        if (next && next.getTime() <= now) next = cron.nextRun(new Date(now));
      }
      expect(fired).toHaveLength(1);
    }
  });
});

describe("looking back agrees with looking forward", () => {
  it("for random windows and expressions, in zones with DST", () => {
    const expressions = ["*/7 * * * *", "30 2 * * *", "0 */3 * * *", "15 1-3 * * 0", "0 0 1 * *", "*/20 2 * * *"];
    const zones = ["Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe"];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 300; round++) {
      const cron = compileCron(expressions[round % expressions.length] ?? "* * * * *", zones[round % zones.length] ?? "UTC");
      const from = new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 365 * 86_400_000));
      // Sometimes end exactly on a fire time, to check that `until` itself counts.
      const forward = nextFireTimes(cron, new Date(from.getTime() - 1), 40);
      const pick = forward[Math.floor(random() * forward.length)];
      const until = random() < 0.5 && pick ? pick : new Date(from.getTime() + Math.floor(random() * 5 * 86_400_000));
      const expected = forward.filter((time) => time <= until).slice(-10);
      if (forward.every((time) => time <= until)) continue; // the window is longer than what we enumerated
      expect(iso(dueFireTimes(cron, from, until, 10))).toEqual(iso(expected));
    }
  });
});

describe("validation", () => {
  it("refuses anything but 5 valid fields", () => {
    expect(codeOf(() => compileCron("* * * * * *", "UTC"))).toBe("VALIDATION_FAILED:cron");
    expect(codeOf(() => compileCron("* * * *", "UTC"))).toBe("VALIDATION_FAILED:cron");
    expect(codeOf(() => compileCron("61 * * * *", "UTC"))).toBe("VALIDATION_FAILED:cron");
    expect(codeOf(() => compileCron("@daily", "UTC"))).toBe("VALIDATION_FAILED:cron");
    expect(codeOf(() => compileCron("every day", "UTC"))).toBe("VALIDATION_FAILED:cron");
    expect(codeOf(() => compileCron("*/15 9-17 * * 1-5", "America/New_York"))).toBe("ok");
  });

  it("refuses unknown time zones", () => {
    expect(codeOf(() => compileCron("* * * * *", "Mars/Olympus"))).toBe("VALIDATION_FAILED:timezone");
    expect(codeOf(() => compileCron("* * * * *", ""))).toBe("VALIDATION_FAILED:timezone");
    expect(codeOf(() => compileCron("* * * * *", "Europe/Berlin"))).toBe("ok");
  });

  it("previews the next times in the zone", () => {
    const { times } = previewFireTimes({ cron: "0 9 * * 1", timezone: "Asia/Tokyo", count: 2 }, new Date("2025-06-01T00:00:00Z"));
    // Monday 2 June 09:00 JST = 00:00Z.
    expect(iso(times)).toEqual(["2025-06-02T00:00:00.000Z", "2025-06-09T00:00:00.000Z"]);
  });
});

describe("catch-up planning", () => {
  const base = { cron: "*/10 * * * *", timezone: "UTC", catchUpLimit: 3 };
  const now = new Date("2025-01-01T12:00:30Z");
  const nextFireAt = new Date("2025-01-01T11:00:00Z"); // 7 due times: 11:00 ... 12:00
  const plan = (catchUpPolicy: string) =>
    planFireTimes({ ...base, catchUpPolicy, nextFireAt } as Parameters<typeof planFireTimes>[0], now, 60_000).map(
      (fire) => `${fire.trigger}@${fire.fireAt.toISOString().slice(11, 16)}`,
    );

  it("skip fires only the on-time one", () => expect(plan("skip")).toEqual(["cron@12:00"]));
  it("latest fires only the on-time one when there is one", () => expect(plan("latest")).toEqual(["cron@12:00"]));
  it("all fires the most recent missed ones up to the cap, then the on-time one", () =>
    expect(plan("all")).toEqual(["catch_up@11:30", "catch_up@11:40", "catch_up@11:50", "cron@12:00"]));
  it("latest fires the newest missed one when nothing is on time", () => {
    const later = new Date("2025-01-01T12:05:00Z");
    const planned = planFireTimes({ ...base, catchUpPolicy: "latest", nextFireAt } as Parameters<typeof planFireTimes>[0], later, 60_000);
    expect(planned.map((fire) => `${fire.trigger}@${fire.fireAt.toISOString().slice(11, 16)}`)).toEqual(["catch_up@12:00"]);
  });
});

describe("due fire times for the tick", () => {
  it("with more due than the limit, keeps the newest `limit` (found backwards), oldest first", () => {
    const cron = compileCron("* * * * *", "UTC");
    const due = dueFireTimes(cron, new Date("2025-05-01T00:00:00Z"), new Date("2025-05-31T10:00:00Z"), 3);
    expect(iso(due)).toEqual(["2025-05-31T09:58:00.000Z", "2025-05-31T09:59:00.000Z", "2025-05-31T10:00:00.000Z"]);
  });

  it("keeps a time equal to either end, and gives nothing for an empty window", () => {
    const cron = compileCron("*/5 * * * *", "UTC");
    const from = new Date("2025-05-01T10:00:00Z");
    expect(iso(dueFireTimes(cron, from, new Date("2025-05-01T10:10:00Z"), 10))).toEqual([
      "2025-05-01T10:00:00.000Z",
      "2025-05-01T10:05:00.000Z",
      "2025-05-01T10:10:00.000Z",
    ]);
    expect(dueFireTimes(cron, from, new Date("2025-05-01T09:59:00Z"), 10)).toEqual([]);
  });

  // The bench's 10,000 schedules due in one minute: planning each used to cost ~3 ms (a backwards
  // search through 72 times), 30 s for the tick; forward it is a step or two per schedule.
  // How fast this is belongs to `npm run bench -- schedules`, not to a test.
  it("plans exactly one fire for each of 10,000 schedules due in the same minute", () => {
    const minute = new Date("2025-05-01T10:00:00Z");
    const row = { nextFireAt: minute, cron: "* * * * *", timezone: "UTC", catchUpPolicy: "all", catchUpLimit: 10 };
    const planned = new Set<number>();
    let fires = 0;
    for (let index = 0; index < 10_000; index += 1) {
      const times = planFireTimes(row as Parameters<typeof planFireTimes>[0], new Date(minute.getTime() + 800), 120_000);
      fires += times.length;
      for (const time of times) planned.add(time.fireAt.getTime());
    }
    expect(fires).toBe(10_000);
    expect([...planned]).toEqual([minute.getTime()]);
  });
});
