import { useAuth } from '@tessera/auth-react';
import { isTRPCClientError } from '@trpc/client';
import { useEffect, useRef, useState } from 'react';
import {
  cancelPasskeyPrompt,
  canSuggestPasskeys,
  describePasskeyError,
  isCancelledByPage,
  passkeyPrompt,
  supersededRequest,
} from './passkeys';

/**
 * A challenge lives 5 minutes: suggestions still unanswered by then are withdrawn and asked for
 * afresh (at once if the field still has focus, else on its next focus).
 */
const SUGGESTIONS_LIFETIME_MS = 4 * 60_000;

/** The field the browser may offer passkeys in (`autocomplete="… webauthn"`) has focus. */
const suggestionFieldFocused = () =>
  document.activeElement?.getAttribute('autocomplete')?.split(/\s+/).includes('webauthn') ?? false;

/**
 * Signing in with a passkey, two ways: `signInWithButton` opens the browser's passkey prompt;
 * `suggestPasskeys` (on the Email field's focus) has the browser offer this site's passkeys
 * among the field's suggestions. The suggestions are asked for when the user comes to the field,
 * not when the page loads: a visitor who only passes by costs no challenge, and no passkey is
 * used before the user turns to signing in.
 */
export function usePasskeySignIn() {
  const { signInWithPasskey } = useAuth();
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<{ message: string; attempt: number } | null>(null);
  const suggesting = useRef(false);
  // Set while the button's request runs: a suggestion request whose challenge arrives later
  // must not start (starting it would abort the prompt the user just opened).
  const buttonActive = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      cancelPasskeyPrompt();
    };
  }, []);

  /** Says what went wrong; a new attempt's message is announced afresh. */
  const fail = (error: unknown) =>
    setProblem((last) => ({ message: describePasskeyError(error, 'sign-in'), attempt: (last?.attempt ?? 0) + 1 }));

  const suggestPasskeys = async (): Promise<void> => {
    if (suggesting.current || buttonActive.current) return;
    suggesting.current = true;
    let withdrawn = false;
    const withdraw = window.setTimeout(() => {
      withdrawn = true;
      cancelPasskeyPrompt();
    }, SUGGESTIONS_LIFETIME_MS);
    try {
      if (!(await canSuggestPasskeys())) return;
      const prompt = passkeyPrompt({ autofill: true });
      await signInWithPasskey((options) =>
        buttonActive.current ? Promise.reject(supersededRequest()) : prompt(options),
      );
    } catch (error) {
      // The user picked a passkey and the server refused it: say so. Anything else (no challenge
      // to be had, the request withdrawn or superseded) leaves the button to do the talking.
      if (!mounted.current || isCancelledByPage(error)) return;
      if (isTRPCClientError(error) && error.data?.path === 'auth.passkeys.authenticate') fail(error);
    } finally {
      window.clearTimeout(withdraw);
      suggesting.current = false;
      if (withdrawn && mounted.current && !buttonActive.current && suggestionFieldFocused()) void suggestPasskeys();
    }
  };

  const signInWithButton = async () => {
    buttonActive.current = true;
    setPending(true);
    setProblem(null);
    try {
      // Starting this request withdraws the suggestions' one.
      await signInWithPasskey(passkeyPrompt({ autofill: false }));
    } catch (error) {
      if (mounted.current && !isCancelledByPage(error)) fail(error);
    } finally {
      buttonActive.current = false;
      if (mounted.current) setPending(false);
    }
  };

  return { pending, problem, signInWithButton, suggestPasskeys };
}
