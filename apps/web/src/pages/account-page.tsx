import { useAuth } from '@tessera/auth-react';
import { useLocation } from 'react-router';
import { AppPage } from '../components/app-page';
import { ConnectedAccountsSection } from '../components/connected-accounts-section';
import { DataExportSection } from '../components/data-export-section';
import { EmailAddress } from '../components/email-address';
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
 * `/account`: change (or set) the password, which signs out every other device; two-step
 * verification; passkeys; connected accounts; the account's data to take away.
 */
export function AccountPage() {
  const { user } = useAuth();
  const afterReset = afterResetIn(useLocation().state);
  return (
    <AppPage title="Account" subtitle={user ? <EmailAddress value={user.email} /> : undefined}>
      <PasswordSection />
      <TwoFactorSection />
      <PasskeysSection afterReset={afterReset} />
      <ConnectedAccountsSection />
      <DataExportSection />
    </AppPage>
  );
}
