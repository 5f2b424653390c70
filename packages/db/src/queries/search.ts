/** The server-side search of the lists: LIKE patterns with LIKE's own wildcards in the text taken literally. */

/** The text with `\`, `%` and `_` escaped (PostgreSQL's default LIKE escape is `\`). */
function literal(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** `%text%`: contains the text (with ILIKE, whatever the case). */
export function containsPattern(text: string): string {
  return `%${literal(text)}%`;
}

/** `text%`: starts with the text. */
export function startsWithPattern(text: string): string {
  return `${literal(text)}%`;
}
