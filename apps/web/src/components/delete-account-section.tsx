import { useAuth } from '@tessera/auth-react';
import { useState } from 'react';
import { DeleteAccountDialog } from './delete-account-dialog';

/**
 * The Account page's last section, "Delete account": what goes, and a button that asks in a
 * dialog, with the address typed again. Once deleted, every tab here is signed out and the
 * sign-in page says why.
 */
export function DeleteAccountSection() {
  const { user } = useAuth();
  const [asking, setAsking] = useState(false);
  if (user === null) return null;

  return (
    <section aria-labelledby="delete-account-title">
      <h2 id="delete-account-title" className="section-title">
        Delete account
      </h2>
      <p className="section-hint">
        Your account goes with everything in it: your notes, passkeys, connected accounts and activity, and every device
        is signed out. This cannot be undone. If your address is confirmed, a last mail to it says it is done.
      </p>
      <button type="button" className="button button-danger" onClick={() => setAsking(true)}>
        Delete account
      </button>
      {asking ? <DeleteAccountDialog email={user.email} onCancel={() => setAsking(false)} /> : null}
    </section>
  );
}
