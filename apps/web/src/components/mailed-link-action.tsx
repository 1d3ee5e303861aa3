import { getErrorCode } from '@tessera/auth-client';
import { useAuth } from '@tessera/auth-react';
import { isTRPCClientError } from '@trpc/client';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { describeAuthError } from '../lib/describe-auth-error';
import { useLinkToken } from '../lib/link-token';
import { AuthCard } from './auth-card';

type Outcome<T> =
  | { state: 'ready' | 'pending' }
  | { state: 'done'; result: T }
  /** `final`: the link itself was refused (expired, used, superseded); else it may be tried again. */
  | { state: 'refused'; message: string; final: boolean };

/** Props of {@link MailedLinkAction}. */
export interface MailedLinkActionProps<T> {
  /** The page's heading and document title. */
  title: string;
  /** What the button will do, said before it is clicked. */
  explanation: string;
  /** What the page says when opened without a token: which mail its link is in. */
  withoutLink: string;
  /** The button's label, naming the action. */
  actionLabel: string;
  /** What the link does, with its token; rejects with the server's refusal. */
  action(token: string): Promise<T>;
  /** What happened, in a sentence or two (announced, and focused). */
  describeDone(result: T): ReactNode;
  /** What to do next, under that (a link). */
  next?: ReactNode;
  /** A line under the card: the way on. */
  footer: ReactNode;
}

/**
 * The page of a mailed link (`…#token=…`) that changes the account: it says what the link will
 * do, and does it when the button is clicked. Never on open: mail scanners and link previews open
 * links to check them, and a change made then would happen without its owner, and spend the link.
 * The button waits for this browser's session to be restored, so the server knows which session
 * opened the link. The outcome takes focus, as the button it replaces is gone.
 *
 * @example
 * <MailedLinkAction title="Undo the email change" actionLabel="Put my address back" action={undoEmailChange} … />
 */
export function MailedLinkAction<T>(props: MailedLinkActionProps<T>) {
  const { status } = useAuth();
  const token = useLinkToken();
  const [outcome, setOutcome] = useState<Outcome<T>>({ state: 'ready' });
  const said = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (outcome.state === 'done' || outcome.state === 'refused') said.current?.focus();
  }, [outcome]);

  if (token === null) {
    return (
      <AuthCard title={props.title} footer={props.footer}>
        <p className="notice" role="status">
          {props.withoutLink}
        </p>
      </AuthCard>
    );
  }

  const run = async () => {
    setOutcome({ state: 'pending' });
    try {
      setOutcome({ state: 'done', result: await props.action(token) });
    } catch (error) {
      setOutcome(refusal(error));
    }
  };

  if (outcome.state === 'done') {
    return (
      <AuthCard title={props.title} footer={props.footer}>
        <p ref={said} className="notice link-outcome" role="status" tabIndex={-1}>
          {props.describeDone(outcome.result)}
        </p>
        {props.next === undefined ? null : <div className="link-next">{props.next}</div>}
      </AuthCard>
    );
  }

  const pending = outcome.state === 'pending';
  return (
    <AuthCard title={props.title} subtitle={props.explanation} footer={props.footer}>
      {outcome.state === 'refused' ? (
        <p ref={said} className="alert link-outcome" role="alert" tabIndex={-1}>
          {outcome.message}
        </p>
      ) : null}
      {outcome.state === 'refused' && outcome.final ? null : (
        <button
          type="button"
          className="button button-primary"
          disabled={pending || status === 'loading'}
          aria-busy={pending}
          onClick={() => void run()}
        >
          {pending ? <span className="spinner spinner-small" aria-hidden="true" /> : null}
          {props.actionLabel}
        </button>
      )}
    </AuthCard>
  );
}

/** Why the link did not work, and whether trying again could help. */
function refusal(error: unknown): Outcome<never> {
  if (isTRPCClientError(error) && getErrorCode(error) === 'BAD_REQUEST') {
    // A token cut short on its way from the mail, or one the server refused (expired, used,
    // superseded, the address taken), which it says in a sentence, with what to do.
    const cut = 'fieldErrors' in (error.data ?? {});
    const message = cut ? 'This link is incomplete. Open it from the mail again, or copy all of it.' : error.message;
    return { state: 'refused', message, final: true };
  }
  // Throttled, unreachable, busy: said as the forms say it, with the button to try again.
  return { state: 'refused', message: describeAuthError(error, 'forgot-password').message, final: false };
}
