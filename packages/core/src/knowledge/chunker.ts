/**
 * The recursive chunker. A document's extracted text is cut by structure first: sections at Markdown
 * headings (each chunk remembers its heading path), then, inside a section that is too long, at
 * paragraphs, lines, sentences, words and at last characters, so no chunk exceeds the size limit. The
 * pieces are packed greedily up to the limit, and each chunk starts with up to `overlap` characters of
 * the end of the previous chunk of the same section, so a sentence cut at a boundary is whole in one of
 * the two. Chunks never cross a section boundary.
 *
 * Every chunk is an exact slice of the text (`content === text.slice(startOffset, endOffset)`), in
 * order, and together they cover every non-whitespace character: the property tests hold it to that.
 */

export interface ChunkOptions {
  /** The hard limit, in characters. */
  chunkSize: number;
  /** Characters of the previous chunk repeated at the start of the next (within one section). */
  chunkOverlap: number;
}

export interface TextChunk {
  position: number;
  headingPath: string[];
  startOffset: number;
  endOffset: number;
  content: string;
}

interface Range {
  start: number;
  end: number;
}

const headingLine = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/gm;

/** Sections at heading lines; the heading line belongs to the section it opens. */
function sections(text: string): Array<Range & { headingPath: string[] }> {
  const found: Array<Range & { headingPath: string[] }> = [];
  const stack: Array<{ level: number; title: string }> = [];
  let start = 0;
  let path: string[] = [];
  for (const match of text.matchAll(headingLine)) {
    const index = match.index ?? 0;
    if (index > start) found.push({ start, end: index, headingPath: path });
    const level = match[1]?.length ?? 1;
    while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= level) stack.pop();
    stack.push({ level, title: (match[2] ?? "").trim().slice(0, 200) });
    path = stack.map((entry) => entry.title);
    start = index;
  }
  if (start < text.length) found.push({ start, end: text.length, headingPath: path });
  return found;
}

/** Separators from the coarsest to the finest; each split keeps the separator with the piece before it. */
const separators: RegExp[] = [/\n[ \t]*\n/g, /\n/g, /(?<=[.!?…。！？])\s+/g, /\s+/g];

function splitAt(text: string, range: Range, separator: RegExp): Range[] {
  const pieces: Range[] = [];
  let start = range.start;
  const slice = text.slice(range.start, range.end);
  separator.lastIndex = 0;
  for (const match of slice.matchAll(separator)) {
    const end = range.start + (match.index ?? 0) + match[0].length;
    if (end > start && end < range.end) {
      pieces.push({ start, end });
      start = end;
    }
  }
  pieces.push({ start, end: range.end });
  return pieces;
}

/** Contiguous pieces of at most `size` characters covering the range, cut at the coarsest separator that works. */
function pieces(text: string, range: Range, size: number, level = 0): Range[] {
  if (range.end - range.start <= size) return [range];
  const separator = separators[level];
  if (!separator) {
    const cut: Range[] = [];
    for (let start = range.start; start < range.end; start += size) {
      // Never split a surrogate pair: a cut in front of a low surrogate moves one back.
      let end = Math.min(range.end, start + size);
      if (end < range.end && end > start + 1 && /[\uDC00-\uDFFF]/.test(text[end] ?? "")) end -= 1;
      cut.push({ start, end });
      start = end - size;
    }
    return cut;
  }
  const split = splitAt(text, range, separator);
  if (split.length === 1) return pieces(text, range, size, level + 1);
  return split.flatMap((piece) => pieces(text, piece, size, level + 1));
}

function trimmed(text: string, range: Range): Range | null {
  let { start, end } = range;
  while (start < end && /\s/.test(text[start] ?? "")) start += 1;
  while (end > start && /\s/.test(text[end - 1] ?? "")) end -= 1;
  return end > start ? { start, end } : null;
}

export function chunkText(text: string, options: ChunkOptions): TextChunk[] {
  const size = Math.max(1, Math.floor(options.chunkSize));
  const overlap = Math.max(0, Math.min(Math.floor(options.chunkOverlap), Math.floor(size / 2)));
  const chunks: TextChunk[] = [];
  for (const section of sections(text)) {
    const units = pieces(text, section, size);
    let first = 0;
    while (first < units.length) {
      const startUnit = units[first];
      if (!startUnit) break;
      let last = first;
      while (last + 1 < units.length && (units[last + 1]?.end ?? 0) - startUnit.start <= size) last += 1;
      const range = trimmed(text, { start: startUnit.start, end: units[last]?.end ?? startUnit.end });
      if (range) {
        chunks.push({
          position: chunks.length,
          headingPath: section.headingPath,
          startOffset: range.start,
          endOffset: range.end,
          content: text.slice(range.start, range.end),
        });
      }
      if (last + 1 >= units.length) break;
      // The next chunk starts at the earliest unit after `first` that keeps the repeated tail within the
      // overlap and still leaves room for the next new unit.
      const end = units[last]?.end ?? 0;
      const nextEnd = units[last + 1]?.end ?? 0;
      let next = last + 1;
      for (let candidate = first + 1; candidate <= last; candidate += 1) {
        const candidateStart = units[candidate]?.start ?? 0;
        if (end - candidateStart <= overlap && nextEnd - candidateStart <= size) {
          next = candidate;
          break;
        }
      }
      first = next;
    }
  }
  return chunks;
}
