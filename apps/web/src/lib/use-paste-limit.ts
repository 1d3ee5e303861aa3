import { type ClipboardEvent, useState } from 'react';

/**
 * Whether the last paste into a field overflowed its `maxLength`, which the browser cuts without
 * a word: the field then says so. Typing back under the limit clears it.
 *
 * @example
 * const limit = usePasteLimit(200);
 * <input maxLength={200} onPaste={limit.onPaste} onChange={(e) => { limit.onChange(e.target.value); … }} />
 * {limit.tooLong ? <p role="alert">What you pasted was cut.</p> : null}
 */
export function usePasteLimit(maxLength: number | undefined) {
  const [tooLong, setTooLong] = useState(false);
  return {
    tooLong,
    onPaste(event: ClipboardEvent<HTMLInputElement | HTMLTextAreaElement>) {
      if (maxLength === undefined) return;
      const { value, selectionStart, selectionEnd } = event.currentTarget;
      const kept = value.length - ((selectionEnd ?? value.length) - (selectionStart ?? value.length));
      setTooLong(kept + event.clipboardData.getData('text').length > maxLength);
    },
    onChange(value: string) {
      if (maxLength !== undefined && value.length < maxLength) setTooLong(false);
    },
  };
}
