import { useAuth } from '@tessera/auth-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { SIGN_OUT_INCOMPLETE_STATE } from './sign-out-state';

/**
 * Signs this browser out, from any page. It always signs out locally, and the route guard leaves
 * the page; if the server never heard of it, the refresh cookie may sign this browser back in
 * later, which the sign-in page then says.
 *
 * @example
 * const { signOut, pending } = useSignOut();
 * <button onClick={signOut} disabled={pending}>Sign out</button>
 */
export function useSignOut(): { signOut: () => void; pending: boolean } {
  const auth = useAuth();
  const navigate = useNavigate();
  const [pending, setPending] = useState(false);
  const signOut = async () => {
    setPending(true);
    try {
      const { revoked } = await auth.signOut();
      if (!revoked) await navigate('/sign-in', { replace: true, state: SIGN_OUT_INCOMPLETE_STATE });
    } finally {
      setPending(false);
    }
  };
  return { signOut: () => void signOut(), pending };
}
