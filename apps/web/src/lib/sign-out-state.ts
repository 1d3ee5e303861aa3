/** Router state the home page leaves behind when the server could not be told about a sign-out. */
export const SIGN_OUT_INCOMPLETE_STATE = { signOutIncomplete: true } as const;

/**
 * Whether the sign-in page should say that the last sign-out only happened in this browser.
 *
 * @example
 * isSignOutIncomplete(useLocation().state);
 */
export function isSignOutIncomplete(state: unknown): boolean {
  return (
    typeof state === 'object' && state !== null && 'signOutIncomplete' in state && state.signOutIncomplete === true
  );
}
