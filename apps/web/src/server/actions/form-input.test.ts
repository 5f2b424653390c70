import { AppError, ZCircleDefinition } from "@gathering/core";
import { ZAgentDefinition } from "@gathering/core/browser";
import { initTRPC, TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { invalidStateOf, isEnhancedSubmission, optionalNumberOf, requiredNumberOf, submittedValuesOf } from "./form-input";
import { ENHANCED_FIELD } from "./form-state";

/** What a server caller throws for input its procedure's schema refuses: tRPC's own input parsing, with the real schema. */
async function refusalOfInput(input: unknown): Promise<unknown> {
  const t = initTRPC.create();
  const router = t.router({ create: t.procedure.input(ZAgentDefinition).mutation(() => "created") });
  return router
    .createCaller({})
    .create(input as z.input<typeof ZAgentDefinition>)
    .then(
      () => null,
      (error: unknown) => error,
    );
}

const values = { name: "", role: "Helper" };

describe("invalidStateOf", () => {
  it("puts each zod issue of the procedure's input on its field path, the first message per field", async () => {
    const error = await refusalOfInput({
      name: "",
      role: "Helper",
      model: { provider: "local", model: "local-echo" },
      parameters: { temperature: 5 },
    });
    expect(error).toBeInstanceOf(TRPCError);
    const state = invalidStateOf(error, values);
    expect(state).toMatchObject({ status: "invalid", appCode: "VALIDATION_FAILED", formError: null, values });
    expect(state.fieldErrors).toEqual({
      name: "Give the agent a name",
      "parameters.temperature": "Too big: expected number to be <=2",
    });
  });

  it("shows an AppError whose details name a field on that field, with its code", () => {
    const cause = new AppError("CONFLICT", 'An agent named "Helper" already exists in this project', { field: "name" });
    const state = invalidStateOf(new TRPCError({ code: "CONFLICT", message: cause.message, cause }), values);
    expect(state).toMatchObject({ fieldErrors: { name: cause.message }, formError: null, appCode: "CONFLICT" });
  });

  it("flattens a domain validator's treeified issues to the same paths", () => {
    const parsed = ZCircleDefinition.safeParse({ name: "", strategy: "round_robin", members: [{ agentId: "not an id" }] });
    expect(parsed.success).toBe(false);
    const cause = new AppError("VALIDATION_FAILED", "Give the circle a name", { issues: parsed.error && z.treeifyError(parsed.error) });
    const state = invalidStateOf(new TRPCError({ code: "BAD_REQUEST", message: cause.message, cause }), values);
    expect(state.fieldErrors).toMatchObject({ name: "Give the circle a name", "members.0.agentId": expect.any(String) });
    expect(state.formError).toBeNull();
  });

  it("gives a refusal that names no field to the form as a whole", () => {
    const cause = new AppError("FORBIDDEN", "Sign-up needs an invitation link");
    const state = invalidStateOf(new TRPCError({ code: "FORBIDDEN", message: cause.message, cause }), values);
    expect(state).toMatchObject({ fieldErrors: {}, formError: "Sign-up needs an invitation link", appCode: "FORBIDDEN" });
  });

  it("never shows an unexpected failure's own text", () => {
    const cause = new Error('relation "agents" does not exist');
    const state = invalidStateOf(new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: cause.message, cause }), values);
    expect(state).toMatchObject({ formError: "Internal server error", appCode: "INTERNAL", fieldErrors: {} });
  });

  it("lets anything that is not a tRPC error through, such as Next's redirect", () => {
    const redirect = Object.assign(new Error("NEXT_REDIRECT"), { digest: "NEXT_REDIRECT;replace;/agents;307;" });
    expect(() => invalidStateOf(redirect, values)).toThrow(redirect);
  });
});

describe("reading the form", () => {
  it("keeps what was typed, without secrets, files or the framework's fields; repeated fields as lists", () => {
    const formData = new FormData();
    formData.append("name", "Helper");
    formData.append("password", "a secret passphrase");
    formData.append("knowledgeBaseIds", "a");
    formData.append("knowledgeBaseIds", "b");
    formData.append("$ACTION_ID_abc", "");
    formData.append(ENHANCED_FIELD, "1");
    formData.append("upload", new Blob(["x"]), "x.txt");
    expect(submittedValuesOf(formData, ["password"])).toEqual({ name: "Helper", knowledgeBaseIds: ["a", "b"] });
    expect(isEnhancedSubmission(formData)).toBe(true);
    expect(isEnhancedSubmission(new FormData())).toBe(false);
  });

  it("reads numbers: empty is unset, text that is no number is the field's error", () => {
    const formData = new FormData();
    formData.append("temperature", " 0.5 ");
    formData.append("maxTokens", "");
    formData.append("maxSteps", "eight");
    const errors: Record<string, string> = {};
    expect(optionalNumberOf(formData, "temperature", errors, "parameters.temperature")).toBe(0.5);
    expect(optionalNumberOf(formData, "maxTokens", errors)).toBeUndefined();
    expect(optionalNumberOf(formData, "maxSteps", errors, "parameters.maxSteps")).toBeUndefined();
    expect(requiredNumberOf(formData, "maxTurns", errors)).toBeUndefined();
    expect(errors).toEqual({ "parameters.maxSteps": "Enter a number", maxTurns: "Enter a number" });
  });
});
