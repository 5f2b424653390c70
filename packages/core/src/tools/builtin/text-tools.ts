/**
 * Text tools: regular-expression extraction on RE2 (linear time, so a hostile pattern cannot hang a
 * worker) and text statistics with Unicode word and sentence segmentation (any language, CJK included).
 */
import { RE2JS, RE2JSException } from "re2js";
import { z } from "zod";
import { defineTool } from "../registry";

export const maxTextChars = 1_000_000;

/** Why RE2 rejected a construct that other regex engines accept, keyed by what RE2 reports. */
function explainRejectedConstruct(offending: string): string | undefined {
  if (/^\(\?[=!]/.test(offending)) return "lookahead (?=...) and (?!...) is not supported; match more text and use a capture group instead";
  if (/^\(\?<[=!]/.test(offending))
    return "lookbehind (?<=...) and (?<!...) is not supported; match more text and use a capture group instead";
  if (/^\\(?:[1-9]|k)/.test(offending))
    return "backreferences (\\1, \\k<name>) are not supported; capture the groups and compare them yourself";
  if (/^\(\?P(?!<)/.test(offending)) return "backreferences (?P=name) are not supported; capture the groups and compare them yourself";
  if (offending.startsWith("(?>")) return "atomic groups (?>...) are not supported (and not needed: matching is linear time)";
  if (/^[*+?}]?[*+?]$/.test(offending)) return "possessive or doubled quantifiers (*+, ++, **) are not supported; use a single quantifier";
  return undefined;
}

/** Compiles with RE2 semantics or throws an error a model can act on. */
export function compileSafePattern(pattern: string, flags: string): RE2JS {
  let flagBits = 0;
  if (flags.includes("i")) flagBits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes("m")) flagBits |= RE2JS.MULTILINE;
  if (flags.includes("s")) flagBits |= RE2JS.DOTALL;
  try {
    return RE2JS.compile(pattern, flagBits);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    const offending = (error as { input?: unknown }).input;
    const problem = error.message.replace(/^error parsing regexp: /, "");
    if (typeof offending === "string" && offending) {
      const where = pattern.indexOf(offending);
      const position = where >= 0 ? ` at position ${where + 1}` : "";
      const explanation = explainRejectedConstruct(offending);
      if (explanation) throw new Error(`unsupported regular expression syntax${position} (${offending}): ${explanation}`);
      throw new Error(`invalid regular expression${position}: ${problem}`);
    }
    throw new Error(`invalid regular expression: ${problem}`);
  }
}

export const maxMatchTextChars = 1000;

/** Keeps one huge match from crowding every other match out of the capped output; index and end stay exact. */
function clip(text: string): string {
  return text.length > maxMatchTextChars
    ? `${text.slice(0, maxMatchTextChars)}…[${text.length - maxMatchTextChars} more characters]`
    : text;
}

function clipOrNull(text: string | null): string | null {
  return text === null ? null : clip(text);
}

export const regexExtractTool = defineTool({
  name: "regex_extract",
  category: "text",
  description:
    "Find all matches of a regular expression in a text, with capture groups (numbered and named). RE2 syntax, guaranteed linear " +
    "time: character classes, \\d \\w \\s \\b, quantifiers including {n,m}, alternation, groups (?:...), named groups (?<name>...), " +
    "Unicode classes \\p{L}; no lookaround or backreferences. Flags: i (ignore case), m (^ and $ at line breaks), s (. matches newline). " +
    `Indexes are 0-based string offsets; end is exclusive. Match texts longer than ${maxMatchTextChars} characters are shortened.`,
  input: z.object({
    pattern: z.string().min(1).max(2000).describe('The regular expression without slashes, e.g. "(\\d{4})-(\\d{2})-(\\d{2})"'),
    text: z.string().max(maxTextChars).describe("The text to search"),
    flags: z
      .string()
      .regex(/^[ims]*$/, "use only the letters i, m and s")
      .default("")
      .describe('Any of "i" (case-insensitive), "m" (multiline anchors), "s" (dot matches newline), e.g. "im"'),
    maxMatches: z.number().int().min(1).max(1000).default(100).describe("Most matches to return (default 100)"),
  }),
  timeoutMs: 15_000,
  async execute(input) {
    const matcher = compileSafePattern(input.pattern, input.flags).matcher(input.text);
    const groupCount = matcher.groupCount();
    const matches: {
      match: string;
      index: number;
      end: number;
      groups?: (string | null)[];
      namedGroups?: Record<string, string | null>;
    }[] = [];
    let isTruncated = false;
    while (matcher.find()) {
      if (matches.length === input.maxMatches) {
        isTruncated = true;
        break;
      }
      const match: (typeof matches)[number] = { match: clip(matcher.group() ?? ""), index: matcher.start(), end: matcher.end() };
      if (groupCount > 0) {
        match.groups = Array.from({ length: groupCount }, (_, index) => clipOrNull(matcher.group(index + 1)));
        const named = Object.entries(matcher.getNamedGroups()).map(([name, value]) => [name, clipOrNull(value)]);
        if (named.length) match.namedGroups = Object.fromEntries(named);
      }
      matches.push(match);
    }
    return { matchCount: matches.length, isTruncated, matches };
  },
});

/** Common function words of the languages agents meet most, left out of the top words. */
const stopwords = new Set(
  // English
  (
    "a about above after again against all am an and any are as at be because been before being below between both but by can " +
    "could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i " +
    "if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own " +
    "same she should so some such than that the their theirs them themselves then there these they this those through to too under until " +
    "up very was we were what when where which while who whom why will with would you your yours yourself yourselves also may might must " +
    "shall us let one s t don didn doesn isn wasn aren won can't don't it's i'm " +
    // French
    "le la les un une des du de d l et ou mais donc or ni car que qui quoi dont où ce cet cette ces mon ma mes ton ta tes son sa ses " +
    "notre nos votre vos leur leurs je tu il elle on nous vous ils elles me te se y en au aux à dans par pour sur avec sans sous est sont " +
    "été être avoir a ont pas ne plus c qu n s j " +
    // German
    "der die das den dem des ein eine einen einem einer eines und oder aber auch nicht ist sind war waren sein hat haben ich du er sie es " +
    "wir ihr mit von zu zum zur im in am an auf aus bei für über unter nach vor wie wenn dass so als " +
    // Spanish
    "el la los las un una unos unas y o pero que de del en con por para sin sobre es son fue ser está están lo le les se su sus mi mis tu " +
    "tus yo él ella nosotros ellos al como más no sí muy ya"
  ).split(" "),
);

const segmenterCache = new Map<string, { words: Intl.Segmenter; sentences: Intl.Segmenter; graphemes: Intl.Segmenter }>();

function segmentersFor(locale: string | undefined) {
  const key = locale ?? "";
  let segmenters = segmenterCache.get(key);
  if (!segmenters) {
    segmenters = {
      words: new Intl.Segmenter(locale, { granularity: "word" }),
      sentences: new Intl.Segmenter(locale, { granularity: "sentence" }),
      graphemes: new Intl.Segmenter(locale, { granularity: "grapheme" }),
    };
    segmenterCache.set(key, segmenters);
  }
  return segmenters;
}

function countGraphemes(segmenter: Intl.Segmenter, text: string): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

function formatMinutes(minutes: number): string {
  const totalSeconds = Math.round(minutes * 60);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const wholeMinutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return seconds ? `${wholeMinutes} min ${seconds} s` : `${wholeMinutes} min`;
}

export const textStatsTool = defineTool({
  name: "text_stats",
  category: "text",
  description:
    "Count a text exactly: characters (as a reader sees them), words, sentences, lines, paragraphs, average lengths, estimated " +
    "reading time, and the most frequent words (common stopwords excluded). Word and sentence boundaries follow Unicode rules for " +
    "any language, including Chinese and Japanese.",
  input: z.object({
    text: z.string().max(maxTextChars).describe("The text to measure"),
    topWords: z.number().int().min(0).max(50).default(10).describe("How many of the most frequent words to list (default 10, 0 for none)"),
    wordsPerMinute: z.number().int().min(50).max(1000).default(230).describe("Reading speed for the reading-time estimate (default 230)"),
    locale: z
      .string()
      .max(35)
      .optional()
      .describe('BCP 47 language of the text, e.g. "en", "de", "ja"; improves segmentation and lower-casing'),
  }),
  timeoutMs: 15_000,
  async execute(input) {
    let locale: string | undefined;
    if (input.locale) {
      try {
        locale = Intl.getCanonicalLocales(input.locale)[0];
      } catch {
        throw new Error(`locale: "${input.locale}" is not a valid BCP 47 language tag (e.g. "en", "pt-BR")`);
      }
    }
    const { text } = input;
    const segmenters = segmentersFor(locale);
    const frequencies = new Map<string, number>();
    const uniqueWords = new Set<string>();
    let words = 0;
    let wordCharacters = 0;
    for (const segment of segmenters.words.segment(text)) {
      if (!segment.isWordLike) continue;
      words++;
      wordCharacters += countGraphemes(segmenters.graphemes, segment.segment);
      const word = segment.segment.toLocaleLowerCase(locale);
      uniqueWords.add(word);
      if (stopwords.has(word) || /^[\p{N}\p{P}]+$/u.test(word) || countGraphemes(segmenters.graphemes, word) < 2) continue;
      frequencies.set(word, (frequencies.get(word) ?? 0) + 1);
    }
    let sentences = 0;
    for (const segment of segmenters.sentences.segment(text)) {
      if (/[\p{L}\p{N}]/u.test(segment.segment)) sentences++;
    }
    const characters = countGraphemes(segmenters.graphemes, text);
    const lineBreaks = text.match(/\r\n|\r|\n/g)?.length ?? 0;
    const lines = text === "" ? 0 : lineBreaks + (/(?:\r\n|\r|\n)$/.test(text) ? 0 : 1);
    const paragraphs = text.split(/(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)/).filter((paragraph) => paragraph.trim() !== "").length;
    const readingMinutes = words / input.wordsPerMinute;
    const topWords = [...frequencies.entries()]
      .sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0]))
      .slice(0, input.topWords)
      .map(([word, count]) => ({ word, count }));
    return {
      characters,
      charactersWithoutSpaces: countGraphemes(segmenters.graphemes, text.replace(/\s+/gu, "")),
      words,
      uniqueWords: uniqueWords.size,
      sentences,
      lines,
      paragraphs,
      averageWordLength: words ? Number((wordCharacters / words).toFixed(2)) : 0,
      averageWordsPerSentence: sentences ? Number((words / sentences).toFixed(2)) : 0,
      readingTimeMinutes: Number(readingMinutes.toFixed(2)),
      readingTime: formatMinutes(readingMinutes),
      topWords,
    };
  },
});

export const textTools = [regexExtractTool, textStatsTool];
