import { describe, expectTypeOf, it } from 'vitest';
import type { Feature } from './feature';

/**
 * A feature's part in the account's life is required (issue 26): a feature that forgets to
 * export or to delete a user's data does not compile, so `npm test` (its typecheck) fails.
 */
describe('the Feature interface', () => {
  const migrations = { name: 'example', folder: 'drizzle', pgFolder: 'drizzle-pg' };
  const stores = { sqlite: () => ({}), postgres: () => ({}) };

  it('refuses a feature without an account-deletion hook', () => {
    // @ts-expect-error deleteUserData is missing: the user's rows would outlive their account.
    const forgetful: Feature = { migrations, stores, account: { exportUserData: async () => ({}) } };
    expectTypeOf(forgetful).toEqualTypeOf<Feature>();
  });

  it('refuses a feature without an export hook', () => {
    // @ts-expect-error exportUserData is missing: the user's export would leave this feature out.
    const forgetful: Feature = { migrations, stores, account: { deleteUserData: async () => undefined } };
    expectTypeOf(forgetful).toEqualTypeOf<Feature>();
  });

  it('takes a feature with both', () => {
    const complete: Feature = {
      migrations,
      stores,
      account: { exportUserData: async () => ({}), deleteUserData: async () => undefined },
    };
    expectTypeOf(complete.account.deleteUserData).returns.resolves.toBeVoid();
  });
});
