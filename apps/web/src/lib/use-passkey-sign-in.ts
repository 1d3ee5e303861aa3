import { useAuth } from '@tessera/auth-react';
import { isTRPCClientError } from '@trpc/client';
import { useEffect, useRef, useState } from 'react';
import {
  cancelPasskeyPrompt,
  canSuggestPasskeys,
  describePasskeyError,
  isCancelledByPage,
  passkeyPrompt,
} from './passkeys';

/**
 * A challenge lives 5 minutes: suggestions still unanswered by then are withdrawn, and the next
 * focus of the Email field asks for a fresh one.
 */
const SUGGESTIONS_LIFETIME_MS = 4 * 60_000;

/**
 * Signing in with a passkey, two ways: `signInWithButton` opens the browser's passkey prompt;
 * `suggestPasskeys` (on the Email field's focus) has the browser offer this site's passkeys
 * among the field's suggestions. The suggestions are asked for when the user comes to the field,
 * not when the page loads: a visitor who only passes by costs no challenge, and a passkey is
 * never used before the user turns to signing in.
 */
export function usePasskeySignIn() {
  const { signInWithPasskey } = useAuth();
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<{ message: string; attempt: number } | null>(null);
  const suggesting = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      void cancelPasskeyPrompt();
    };
  }, []);

  /** Says what went wrong; a new attempt's message is announced afresh. */
  const fail = (error: unknown) =>
    setProblem((last) => ({ message: describePasskeyError(error, 'sign-in'), attempt: (last?.attempt ?? 0) + 1 }));

  const suggestPasskeys = async () => {
    if (suggesting.current || pending) return;
    suggesting.current = true;
    const withdraw = window.setTimeout(() => void cancelPasskeyPrompt(), SUGGESTIONS_LIFETIME_MS);
    try {
      if (!(await canSuggestPasskeys())) return;
      await signInWithPasskey(passkeyPrompt({ autofill: true }));
    } catch (error) {
      // The user picked a passkey and the server refused it: say so. Anything else (no challenge
      // to be had, the request withdrawn) leaves the button to do the talking.
      if (!mounted.current || isCancelledByPage(error)) return;
      if (isTRPCClientError(error) && error.data?.path === 'auth.passkeys.authenticate') fail(error);
    } finally {
      window.clearTimeout(withdraw);
      suggesting.current = false;
    }
  };

  const signInWithButton = async () => {
    setPending(true);
    setProblem(null);
    try {
      // Starting this request withdraws the suggestions' one.
      await signInWithPasskey(passkeyPrompt({ autofill: false }));
    } catch (error) {
      if (mounted.current && !isCancelledByPage(error)) fail(error);
    } finally {
      if (mounted.current) setPending(false);
    }
  };

  return { pending, problem, signInWithButton, suggestPasskeys };
}
