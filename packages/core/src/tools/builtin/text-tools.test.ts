import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { regexExtractTool, textStatsTool } from "./text-tools";
import { callTool, callToolForResult } from "./tool-test-context";

type Extraction = {
  matchCount: number;
  isTruncated: boolean;
  matches: { match: string; index: number; end: number; groups?: (string | null)[]; namedGroups?: Record<string, string | null> }[];
};

describe("regex_extract", () => {
  it("returns matches with positions and numbered and named groups", async () => {
    const output = await callToolForResult<Extraction>(regexExtractTool, {
      pattern: "(?<year>\\d{4})-(\\d{2})(-(\\d{2}))?",
      text: "From 2024-05-17 to 2025-01, été 2026-12-31.",
    });
    expect(output.matchCount).toBe(3);
    expect(output.matches[0]).toEqual({
      match: "2024-05-17",
      index: 5,
      end: 15,
      groups: ["2024", "05", "-17", "17"],
      namedGroups: { year: "2024" },
    });
    expect(output.matches[1]?.groups).toEqual(["2025", "01", null, null]);
    expect(output.matches[2]?.index).toBe("From 2024-05-17 to 2025-01, été ".length);
  });

  it("honours the i, m and s flags", async () => {
    const text = "Alpha\nbeta\nGAMMA";
    expect((await callToolForResult<Extraction>(regexExtractTool, { pattern: "^[a-z]+$", text, flags: "im" })).matchCount).toBe(3);
    expect((await callToolForResult<Extraction>(regexExtractTool, { pattern: "^[a-z]+$", text })).matchCount).toBe(0);
    expect((await callToolForResult<Extraction>(regexExtractTool, { pattern: "a.b", text: "a\nb", flags: "s" })).matchCount).toBe(1);
  });

  it("stops at maxMatches and says so", async () => {
    const output = await callToolForResult<Extraction>(regexExtractTool, { pattern: "\\w", text: "abcdef", maxMatches: 4 });
    expect(output).toMatchObject({ matchCount: 4, isTruncated: true });
  });

  it.each([
    ["(a)\\1", "backreferences"],
    ["(?=x)y", "lookahead"],
    ["(?<!x)y", "lookbehind"],
    ["(?>ab)", "atomic groups"],
    ["a++", "possessive or doubled quantifiers"],
    ["(ab", "invalid regular expression at position 1: missing closing )"],
    ["[z-a]", "invalid character class range"],
  ])("explains why %s is rejected", async (pattern, message) => {
    const outcome = await callTool(regexExtractTool, { pattern, text: "abc" });
    expect(outcome.isError).toBe(true);
    expect(outcome.content).toContain(message);
  });

  it("names invalid arguments", async () => {
    const outcome = await callTool(regexExtractTool, { pattern: "a", text: "a", flags: "g" });
    expect(outcome.content).toBe("Invalid arguments for regex_extract: flags: use only the letters i, m and s");
  });

  it("finishes correctly on patterns that make backtracking engines hang", async () => {
    const text = `${"a".repeat(50_000)}!`;
    for (const pattern of ["(a+)+$", "(a|aa)+$", "(a*)*b", "^(a|a?)+$"]) {
      const output = await callToolForResult<Extraction>(regexExtractTool, { pattern, text });
      expect(output.matchCount).toBe(0);
    }
    const anchored = await callToolForResult<Extraction>(regexExtractTool, { pattern: "(a+)+!$", text });
    expect(anchored.matches[0]).toMatchObject({
      index: 0,
      end: text.length,
      groups: [expect.stringMatching(/^a{1000}…\[49000 more characters\]$/)],
    });
  }, 60_000);

  it("agrees with JavaScript's RegExp on random text for backtracking-prone patterns", async () => {
    const patterns = ["(a+)+b", "(a|ab)*c", "(x+x+)+y", "a*a*a*$"];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...patterns),
        fc.string({ unit: fc.constantFrom("a", "b", "c", "x", "y"), maxLength: 200 }),
        async (pattern, text) => {
          const output = await callToolForResult<Extraction>(regexExtractTool, { pattern, text, maxMatches: 1000 });
          // Short inputs keep the backtracking reference fast; RE2 and JS agree on leftmost-first semantics here.
          const expected = [...text.matchAll(new RegExp(pattern, "g"))].map((match) => ({ match: match[0], index: match.index }));
          expect(output.matches.map(({ match, index }) => ({ match, index }))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe("text_stats", () => {
  it("counts characters, words, sentences, lines and paragraphs", async () => {
    const text = "The cat sat. The cat ran away!\nIs it back?\n\nYes: the cat is back 👍🏽.\n";
    const stats = await callToolForResult(textStatsTool, { text, topWords: 2 });
    expect(stats).toMatchObject({ words: 15, sentences: 4, lines: 4, paragraphs: 2 });
    expect(stats.characters).toBe([...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].length);
    expect(stats.topWords).toEqual([
      { word: "cat", count: 3 },
      { word: "back", count: 2 },
    ]);
    expect(stats.readingTime).toBe("4 s");
  });

  it("segments languages without spaces", async () => {
    const stats = await callToolForResult(textStatsTool, { text: "我喜欢学习中文。你呢？", locale: "zh" });
    expect(stats.words).toBeGreaterThanOrEqual(4);
    expect(stats.sentences).toBe(2);
  });

  it("handles empty text and names invalid arguments", async () => {
    expect(await callToolForResult(textStatsTool, { text: "" })).toMatchObject({
      characters: 0,
      words: 0,
      lines: 0,
      paragraphs: 0,
      topWords: [],
    });
    const outcome = await callTool(textStatsTool, { text: "x", topWords: 500 });
    expect(outcome.content).toMatch(/^Invalid arguments for text_stats: topWords: /);
  });
});
