/** Lines a long note shows until "Show more" (the stylesheet's `.note-text-clamped` clamps to it). */
export const CLAMPED_NOTE_LINES = 6;

/** Characters that fill about that many lines on a phone, where a clamp matters most. */
const CLAMPED_NOTE_CHARACTERS = 300;

/**
 * Whether a note's body is long enough to be clamped with "Show more": a 20,000-character note
 * would otherwise make the page tens of thousands of pixels tall. Judged on the text, not on the
 * rendered height, so the button never appears or vanishes as the window is resized.
 *
 * @example
 * isLongNote('milk, eggs') // false
 */
export function isLongNote(body: string): boolean {
  return body.length > CLAMPED_NOTE_CHARACTERS || body.split('\n').length > CLAMPED_NOTE_LINES;
}
