/** The API's doors as integrators meet them: no credentials, a bad token, bad sign-up input, and form posts from other sites. */
import { type AppRouter, createGatheringClient, getErrorCode, TRPCClientError } from "@gathering/client";
import { expect, test } from "@playwright/test";

function baseUrlOf(baseURL: string | undefined): string {
  if (!baseURL) throw new Error("the api project needs use.baseURL");
  return baseURL;
}

async function failureOf(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error;
    throw error;
  }
  throw new Error("the call succeeded");
}

test("without a session or a token, auth.me answers UNAUTHORIZED", async ({ baseURL }) => {
  const gathering = createGatheringClient({ url: baseUrlOf(baseURL) });

  const error = await failureOf(gathering.auth.me.query());

  expect(getErrorCode(error)).toBe("UNAUTHORIZED");
  expect(error.message).toBe("Sign in or send an API token");
});

test("an unknown API token is refused with 401, even for a public procedure", async ({ baseURL }) => {
  const gathering = createGatheringClient({ url: baseUrlOf(baseURL), token: "gat_thisTokenWasNeverIssuedByTheServer0000000" });

  const error = await failureOf(gathering.system.info.query());

  // A presented but unknown token must not quietly become an anonymous call.
  expect((error.meta as { response?: Response } | undefined)?.response?.status).toBe(401);
  expect(getErrorCode(error)).toBe("UNAUTHORIZED");
  expect(error.message).toBe("This API token is invalid, expired or revoked");
});

test("auth.signUp rejects bad input with a message for each field", async ({ baseURL }) => {
  const gathering = createGatheringClient({ url: baseUrlOf(baseURL) });

  const error = await failureOf(gathering.auth.signUp.mutate({ name: " ", email: "not-an-email", password: "short" }));

  expect(getErrorCode(error)).toBe("VALIDATION_FAILED");
  const fieldErrors = error.data?.zodError?.fieldErrors;
  expect(fieldErrors).toEqual({
    name: ["Enter your name"],
    email: ["Enter a valid email address"],
    password: ["Use at least 12 characters"],
  });
});

test("a mutation sent as a form post (what another site could make a browser do) is refused", async ({ baseURL }) => {
  const response = await fetch(`${baseUrlOf(baseURL)}/api/trpc/projects.create`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "name=Injected",
  });

  expect(response.status).toBe(415);
  const body = (await response.json()) as { error: { code: string } };
  expect(body.error.code).toBe("BAD_REQUEST");
});
