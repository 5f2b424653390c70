import { describe, expect, it } from "vitest";
import { datetimeTool } from "./time-tools";
import { callTool, callToolForResult } from "./tool-test-context";

type Described = { local: string; date: string; utc: string; weekday: string; utcOffset: string; timeZone: string; formatted: string };

describe("datetime", () => {
  it("tells the current time in a zone", async () => {
    const before = Date.now();
    const now = await callToolForResult<Described & { epochMilliseconds: number }>(datetimeTool, {
      operation: "now",
      timeZone: "Asia/Tokyo",
    });
    expect(now.timeZone).toBe("Asia/Tokyo");
    expect(now.utcOffset).toBe("+09:00");
    expect(now.epochMilliseconds).toBeGreaterThanOrEqual(before);
    expect(now.local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?\+09:00$/);
  });

  it("converts an instant between zones, with the right offset on each side of a DST change", async () => {
    const winter = await callToolForResult<{ from: Described; to: Described }>(datetimeTool, {
      operation: "convert",
      instant: "2025-01-15T12:00:00Z",
      toTimeZone: "America/New_York",
    });
    expect(winter.to.local).toBe("2025-01-15T07:00:00-05:00");
    const summer = await callToolForResult<{ from: Described; to: Described }>(datetimeTool, {
      operation: "convert",
      instant: "2025-07-15T09:00",
      timeZone: "Europe/Paris",
      toTimeZone: "America/Los_Angeles",
    });
    expect(summer.from.utc).toBe("2025-07-15T07:00:00.000Z");
    expect(summer.to.local).toBe("2025-07-15T00:00:00-07:00");
    expect(summer.to.weekday).toBe("Tuesday");
  });

  it("moves a local time that does not exist (spring forward) past the gap, and takes the earlier of an ambiguous one", async () => {
    const skipped = await callToolForResult<Described>(datetimeTool, {
      operation: "format",
      instant: "2025-03-09T02:30",
      timeZone: "America/New_York",
    });
    expect(skipped.local).toBe("2025-03-09T03:30:00-04:00");
    const ambiguous = await callToolForResult<Described>(datetimeTool, {
      operation: "format",
      instant: "2025-11-02T01:30",
      timeZone: "America/New_York",
    });
    expect(ambiguous.local).toBe("2025-11-02T01:30:00-04:00");
  });

  it("adds calendar days on the wall clock and hours on the timeline across a DST change", async () => {
    const byDay = await callToolForResult<{ result: Described; elapsed: string }>(datetimeTool, {
      operation: "add",
      instant: "2025-03-29T12:00",
      timeZone: "Europe/Paris",
      duration: { days: 1 },
    });
    expect(byDay.result.local).toBe("2025-03-30T12:00:00+02:00");
    expect(byDay.elapsed).toBe("23 hours");
    const byHours = await callToolForResult<{ result: Described }>(datetimeTool, {
      operation: "add",
      instant: "2025-03-29T12:00",
      timeZone: "Europe/Paris",
      duration: { hours: 24 },
    });
    expect(byHours.result.local).toBe("2025-03-30T13:00:00+02:00");
    const endOfMonth = await callToolForResult<{ result: Described }>(datetimeTool, {
      operation: "add",
      instant: "2024-01-31",
      duration: { months: 1 },
    });
    expect(endOfMonth.result.date).toBe("2024-02-29");
    const back = await callToolForResult<{ result: Described }>(datetimeTool, {
      operation: "add",
      instant: "2025-01-01T00:00:00Z",
      duration: { years: -1, minutes: -30 },
    });
    expect(back.result.utc).toBe("2023-12-31T23:30:00.000Z");
  });

  it("measures the difference between two instants", async () => {
    const difference = await callToolForResult<{ milliseconds: number; totalHours: number; text: string; calendarDays: number }>(
      datetimeTool,
      {
        operation: "difference",
        from: "2025-03-29T12:00",
        to: "2025-03-31T13:30",
        timeZone: "Europe/Paris",
      },
    );
    expect(difference.totalHours).toBe(48.5);
    expect(difference.text).toBe("2 days 30 minutes");
    expect(difference.calendarDays).toBe(2);
    const negative = await callToolForResult<{ text: string; milliseconds: number }>(datetimeTool, {
      operation: "difference",
      from: "2025-01-02T00:00:00Z",
      to: "2025-01-01T00:00:00Z",
    });
    expect(negative).toMatchObject({ text: "minus 1 day", milliseconds: -86_400_000 });
  });

  it("formats for a locale", async () => {
    const formatted = await callToolForResult<Described>(datetimeTool, {
      operation: "format",
      instant: "2025-07-14T10:00:00Z",
      timeZone: "Europe/Paris",
      locale: "fr-FR",
      style: "long",
    });
    expect(formatted.formatted).toContain("14 juillet 2025");
  });

  it.each([
    [{ operation: "now", timeZone: "Europe/Pariss" }, 'Unknown time zone "Europe/Pariss"'],
    [{ operation: "convert", instant: "2025-01-01T00:00:00Z", toTimeZone: "Mars/Olympus" }, "Unknown time zone"],
    [{ operation: "format", instant: "next tuesday" }, 'instant: "next tuesday" is not a date-time'],
    [{ operation: "format", instant: "2025-02-30" }, "day 30 does not exist"],
    [{ operation: "format", instant: "2025-01-01T10:00", locale: "not a locale!" }, "not a valid BCP 47 language tag"],
    [{ operation: "add", instant: "9999-12-30T00:00:00Z", duration: { years: 1 } }, "outside the supported years"],
  ])("reports bad input %j", async (args, message) => {
    const outcome = await callTool(datetimeTool, args);
    expect(outcome.isError).toBe(true);
    expect(outcome.content).toContain(message);
  });

  it("names the missing field for the chosen operation", async () => {
    const outcome = await callTool(datetimeTool, { operation: "difference", from: "now" });
    expect(outcome).toEqual({ isError: true, content: 'Invalid arguments for datetime: to: required for operation "difference"' });
    const badOperation = await callTool(datetimeTool, { operation: "tomorrow" });
    expect(badOperation.isError).toBe(true);
    expect(badOperation.content).toContain("operation");
  });
});
