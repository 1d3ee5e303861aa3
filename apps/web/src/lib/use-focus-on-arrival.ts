import { type RefObject, useEffect } from 'react';

/**
 * A new page (after sign-in, sign-up, sign-out, a link) starts the keyboard and the screen reader
 * at its heading, unless something on it already holds focus.
 *
 * @example
 * const heading = useRef<HTMLHeadingElement>(null);
 * useFocusOnArrival(heading);
 * return <h1 ref={heading} tabIndex={-1}>Account</h1>;
 */
export function useFocusOnArrival(heading: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const focused = document.activeElement;
    if (focused === null || focused === document.body || !focused.isConnected) heading.current?.focus();
  }, [heading]);
}
