import { useEffect, useRef } from 'react';

/**
 * What an action just did ("… was signed out."), announced and focused: the button that did it
 * may be gone with its row, so focus comes here instead of falling to the page. Render it only
 * when there is something to say.
 *
 * @example
 * {outcome === null ? null : <OutcomeNotice message={outcome} />}
 */
export function OutcomeNotice({ message }: { message: string }) {
  const notice = useRef<HTMLParagraphElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new message takes focus again.
  useEffect(() => {
    notice.current?.focus();
  }, [message]);
  return (
    <p ref={notice} className="notice" role="status" tabIndex={-1}>
      {message}
    </p>
  );
}
