/**
 * Where to go after signing in: the protected page that sent the user to sign in, if the router
 * state names one, else home. Only same-app paths are accepted, never `//host` (another origin)
 * or the auth pages themselves (a loop).
 *
 * @example
 * returnPath({ from: '/settings' }); // '/settings'
 * returnPath({ from: '//evil.example' }); // '/'
 */
export function returnPath(state: unknown): string {
  if (typeof state !== 'object' || state === null || !('from' in state)) return '/';
  const { from } = state;
  if (typeof from !== 'string' || !from.startsWith('/') || from.startsWith('//') || from.startsWith('/\\')) return '/';
  return from.startsWith('/sign-in') || from.startsWith('/sign-up') ? '/' : from;
}
