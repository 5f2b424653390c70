import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { textTransformTool } from "./text-transform";
import { callTool, callToolForResult } from "./tool-test-context";

async function transform(operation: string, text: string) {
  return (await callToolForResult<{ result: string }>(textTransformTool, { operation, text })).result;
}

describe("text_transform", () => {
  it.each([
    ["slugify", "  Déjà Vu: L'été à Paris! ", "deja-vu-lete-a-paris"],
    ["camel_case", "XMLHttpRequest id_2", "xmlHttpRequestId2"],
    ["pascal_case", "user account-id", "UserAccountId"],
    ["snake_case", "userAccountID", "user_account_id"],
    ["kebab_case", "User Account ID", "user-account-id"],
    ["constant_case", "max retry count", "MAX_RETRY_COUNT"],
    ["title_case", "the QUICK brown fox's tail", "The Quick Brown Fox's Tail"],
    ["sentence_case", "HELLO THERE. how ARE you?", "Hello there. How are you?"],
    ["trim", "  a  \n b \t\n", "a\n b"],
    ["collapse_whitespace", " a \n\t b  c ", "a b c"],
    ["remove_diacritics", "Crème brûlée", "Creme brulee"],
    ["sort_lines", "item10\nItem2\nitem1\n", "item1\nItem2\nitem10\n"],
    ["unique_lines", "b\na\nb\nc\na", "b\na\nc"],
    ["reverse_lines", "1\n2\n3", "3\n2\n1"],
    ["base64_encode", "héllo", "aMOpbGxv"],
    ["base64_decode", "aMOpbGxv", "héllo"],
    ["url_encode", "a b&c/é", "a%20b%26c%2F%C3%A9"],
    ["url_decode", "a%20b+c", "a b c"],
    ["sha256", "abc", createHash("sha256").update("abc").digest("hex")],
    ["md5", "abc", "900150983cd24fb0d6963f7d28e17f72"],
  ])("%s", async (operation, text, expected) => {
    expect(await transform(operation, text)).toBe(expected);
  });

  it("diffs two texts in unified format", async () => {
    const before = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"].join("\n");
    const after = ["one", "two", "3", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"].join("\n");
    const output = await callToolForResult(textTransformTool, { operation: "diff", text: before, other: after });
    expect(output).toMatchObject({ isIdentical: false, addedLines: 2, removedLines: 1 });
    expect(output.diff).toBe(
      [
        "--- text",
        "+++ other",
        "@@ -1,6 +1,6 @@",
        " one",
        " two",
        "-three",
        "+3",
        " four",
        " five",
        " six",
        "@@ -8,3 +8,4 @@",
        " eight",
        " nine",
        " ten",
        "+eleven",
      ].join("\n"),
    );
    expect(await callToolForResult(textTransformTool, { operation: "diff", text: "same", other: "same" })).toEqual({
      isIdentical: true,
      addedLines: 0,
      removedLines: 0,
      diff: "",
    });
  });

  it("reports bad input", async () => {
    expect((await callTool(textTransformTool, { operation: "base64_decode", text: "not base64!" })).content).toContain(
      "text is not Base64",
    );
    expect((await callTool(textTransformTool, { operation: "url_decode", text: "%E0%A4%A" })).content).toContain(
      "malformed percent-encoding",
    );
    expect((await callTool(textTransformTool, { operation: "diff", text: "a" })).content).toBe(
      'Invalid arguments for text_transform: other: required for operation "diff"',
    );
    expect((await callTool(textTransformTool, { operation: "rot13", text: "a" })).content).toMatch(
      /^Invalid arguments for text_transform: operation: /,
    );
  });
});
