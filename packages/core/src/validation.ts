/** Small validators shared by every domain's zod schemas. */

/** True when the text holds a C0 control character or DEL (tabs and newlines included). */
export function hasControlCharacters(value: string): boolean {
  for (const character of value) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
