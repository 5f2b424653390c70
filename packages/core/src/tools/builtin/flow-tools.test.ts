import { describe, expect, it } from "vitest";
import { waitTool } from "./flow-tools";
import { callTool } from "./tool-test-context";

describe("wait", () => {
  it("waits the requested time", async () => {
    const outcome = await callTool(waitTool, { seconds: 0.05 });
    expect(outcome).toEqual({ isError: false, content: JSON.stringify({ waited: true, seconds: 0.05 }) });
  });

  it("stops as soon as the run is cancelled and reports the interruption", async () => {
    const controller = new AbortController();
    const pending = callTool(waitTool, { seconds: 300, reason: "waiting for a build" }, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const outcome = await pending;
    expect(outcome.isError).toBe(false);
    expect(JSON.parse(outcome.content)).toMatchObject({ waited: false, interrupted: true, requestedSeconds: 300 });
  }, 10_000);

  it("does not start waiting when already cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await callTool(waitTool, { seconds: 300 }, controller.signal);
    expect(JSON.parse(outcome.content)).toMatchObject({ interrupted: true });
  }, 10_000);

  it("refuses waits beyond the limit, naming the field", async () => {
    const outcome = await callTool(waitTool, { seconds: 301 });
    expect(outcome.isError).toBe(true);
    expect(outcome.content).toMatch(/^Invalid arguments for wait: seconds: /);
  });
});
