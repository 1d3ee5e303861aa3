import { useAuth } from '@tessera/auth-react';
import { useLocation } from 'react-router';
import { AppPage } from '../components/app-page';
import { ConnectedAccountsSection } from '../components/connected-accounts-section';
import { DataExportSection } from '../components/data-export-section';
import { DeleteAccountSection } from '../components/delete-account-section';
import { EmailAddress } from '../components/email-address';
import { EmailChangeSection } from '../components/email-change-section';
import { type AfterReset, PasskeysSection } from '../components/passkeys-section';
import { PasswordSection } from '../components/password-section';
import { TwoFactorSection } from '../components/two-factor-section';

/** The reset page's hand-over in the router's state, if this visit comes from there. */
function afterResetIn(state: unknown): AfterReset | null {
  if (typeof state !== 'object' || state === null || !('afterReset' in state)) return null;
  const { afterReset } = state;
  return typeof afterReset === 'object' &&
    afterReset !== null &&
    'removedPasskeys' in afterReset &&
    typeof afterReset.removedPasskeys === 'number'
    ? { removedPasskeys: afterReset.removedPasskeys }
    : null;
}

/**
 * `/account`: the email address (and changing it); change (or set) the password, which signs out
 * every other device; two-step verification; passkeys; connected accounts; the account's data to
 * take away; deleting the account, last.
 */
export function AccountPage() {
  const { user } = useAuth();
  const afterReset = afterResetIn(useLocation().state);
  return (
    <AppPage title="Account" subtitle={user ? <EmailAddress value={user.email} /> : undefined}>
      <EmailChangeSection />
      <PasswordSection />
      <TwoFactorSection />
      <PasskeysSection afterReset={afterReset} />
      <ConnectedAccountsSection />
      <DataExportSection />
      <DeleteAccountSection />
    </AppPage>
  );
}
