/**
 * The chunker: structure first (headings, paragraphs, sentences), a hard size limit, overlap, and
 * property tests (fast-check) that the chunks are exact slices in order, cover every non-whitespace
 * character of the text, and never exceed the limit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkText } from "./chunker";

function checkInvariants(text: string, chunkSize: number, chunkOverlap: number) {
  const chunks = chunkText(text, { chunkSize, chunkOverlap });
  const covered = new Uint8Array(text.length);
  chunks.forEach((chunk, index) => {
    expect(chunk.position).toBe(index);
    expect(chunk.content.length).toBeLessThanOrEqual(chunkSize);
    expect(chunk.content).toBe(text.slice(chunk.startOffset, chunk.endOffset));
    expect(chunk.content.trim()).toBe(chunk.content);
    expect(chunk.content.length).toBeGreaterThan(0);
    const previous = chunks[index - 1];
    if (previous) {
      // In order: each chunk starts after the previous one started and ends after it ended.
      expect(chunk.startOffset).toBeGreaterThan(previous.startOffset);
      expect(chunk.endOffset).toBeGreaterThan(previous.endOffset);
    }
    covered.fill(1, chunk.startOffset, chunk.endOffset);
  });
  for (let index = 0; index < text.length; index += 1) {
    if (!/\s/.test(text[index] ?? "")) expect(covered[index], `character ${index} (${JSON.stringify(text[index])}) is in no chunk`).toBe(1);
  }
  return chunks;
}

const word = fc.stringMatching(/^[a-zA-Z0-9]{1,14}$/);
const token = fc.oneof(
  { weight: 12, arbitrary: word },
  { weight: 3, arbitrary: fc.constant(". ") },
  { weight: 2, arbitrary: fc.constant("\n\n") },
  { weight: 1, arbitrary: fc.constant("\n") },
  { weight: 1, arbitrary: fc.constantFrom("\n# Intro\n", "\n## Details\n", "\n### Deep dive\n", "\n## Details\n") },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{30,120}$/) },
);
const structuredText = fc.array(token, { minLength: 0, maxLength: 300 }).map((tokens) => tokens.join(" "));

describe("chunkText", () => {
  it("keeps short sections whole, one chunk per heading, with the heading path", () => {
    const text = "# Guide\n\nIntro text.\n\n## Setup\n\nInstall it.\n\n### Linux\n\nUse apt.\n\n## Usage\n\nRun it.";
    const chunks = checkInvariants(text, 200, 20);
    expect(chunks.map((chunk) => [chunk.headingPath, chunk.content])).toEqual([
      [["Guide"], "# Guide\n\nIntro text."],
      [["Guide", "Setup"], "## Setup\n\nInstall it."],
      [["Guide", "Setup", "Linux"], "### Linux\n\nUse apt."],
      [["Guide", "Usage"], "## Usage\n\nRun it."],
    ]);
  });

  it("splits a long section at paragraphs, then sentences, with overlap, and never across sections", () => {
    const sentences = Array.from({ length: 12 }, (_, index) => `Sentence number ${index} says something useful.`);
    const text = `# Long\n\n${sentences.slice(0, 6).join(" ")}\n\n${sentences.slice(6).join(" ")}\n\n# Next\n\nShort.`;
    const chunks = checkInvariants(text, 120, 50);
    const long = chunks.filter((chunk) => chunk.headingPath[0] === "Long");
    expect(long.length).toBeGreaterThan(3);
    // Cut at sentence ends: every chunk after the first starts at a sentence.
    for (const chunk of long.slice(1)) expect(chunk.content).toMatch(/^Sentence number \d+/);
    // Overlap: consecutive chunks of the section share text.
    const overlapping = long.slice(1).filter((chunk, index) => chunk.startOffset < (long[index]?.endOffset ?? 0));
    expect(overlapping.length).toBeGreaterThan(0);
    expect(chunks.at(-1)).toMatchObject({ headingPath: ["Next"], content: "# Next\n\nShort." });
  });

  it("cuts a word longer than the limit by characters", () => {
    const text = "x".repeat(250);
    const chunks = checkInvariants(text, 100, 10);
    expect(chunks.map((chunk) => chunk.content.length)).toEqual([100, 100, 50]);
  });

  it("returns nothing for whitespace", () => {
    expect(chunkText(" \n\n\t ", { chunkSize: 100, chunkOverlap: 10 })).toEqual([]);
  });

  it("property: structured text is covered in order within the limit", () => {
    fc.assert(
      fc.property(structuredText, fc.integer({ min: 20, max: 400 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (text, size, ratio) => {
        checkInvariants(text, size, Math.floor(size * ratio));
      }),
      { numRuns: 300 },
    );
  });

  it("property: any string (unicode included) is covered in order within the limit", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 2000 }), fc.integer({ min: 8, max: 300 }), (text, size) => {
        checkInvariants(text, size, Math.floor(size / 4));
      }),
      { numRuns: 300 },
    );
  });
});
