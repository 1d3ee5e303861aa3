import { use } from 'react';

type SignInReasons = typeof import('./sign-in-reasons');

/** The sentences, once loaded: read without suspending from then on. */
let loaded: SignInReasons | null = null;
let loading: Promise<SignInReasons> | undefined;

/**
 * Loads the sentences for why the sign-in page shows, once. The signed-in pages call it as they
 * load: a session ends there, and the sign-in page it leads to then explains why at once.
 *
 * @example
 * loadSignInReasons().catch(() => undefined);
 */
export function loadSignInReasons(): Promise<SignInReasons> {
  loading ??= import('./sign-in-reasons').then(
    (module) => {
      loaded = module;
      return module;
    },
    (error: unknown) => {
      // Offline, say: the next time they are needed, they are asked for again.
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/**
 * The sentences for why the sign-in page shows (how the last session ended, what a provider
 * refused), when `needed`; `null` when not. They are not in the sign-in page's bundle: most visits
 * need none. Until they are in, this suspends, which only happens on a page load (a session found
 * ended, a provider's refusal), where the loading screen of the restore just goes on a moment.
 *
 * @example
 * const reasons = useSignInReasons(endedBecause !== null);
 * reasons?.describeSessionEnd(endedBecause);
 */
export function useSignInReasons(needed: boolean): SignInReasons | null {
  if (!needed) return null;
  return loaded ?? use(loadSignInReasons());
}
