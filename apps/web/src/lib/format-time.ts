const formatter = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * An epoch-ms time in the reader's locale and zone.
 *
 * @example
 * formatTime(1_767_225_600_000); // 'Jan 1, 2026, 1:00 AM'
 */
export function formatTime(epochMs: number): string {
  return formatter.format(new Date(epochMs));
}
